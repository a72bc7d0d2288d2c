import { Inject, Injectable } from '@nestjs/common';
import { operationFilterSchema, pageArgsSchema, parseInput } from '@netpin/contracts';
import { OperationRepository, type ListOptions, type OperationRecord } from '@netpin/db';
import { toConnection } from '../common/page';
import type { Operation, OperationConnection } from './operation.model';

export interface OperationListArgs {
  state?: string | null;
  targetId?: string | null;
  kind?: string | null;
  first?: number | null;
  after?: string | null;
}

export function toOperationView(r: OperationRecord): Operation {
  return {
    id: r.id,
    kind: r.kind,
    targetType: r.targetType,
    targetId: r.targetId,
    state: r.state,
    progress: r.progress,
    step: r.step,
    steps: r.steps.map((s) => ({ name: s.name, state: s.state, startedAt: s.startedAt ?? null, finishedAt: s.finishedAt ?? null })),
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    errorStderr: r.errorStderr,
    parentId: r.parentId,
    requestId: r.requestId,
    resultJson: r.result === null || r.result === undefined ? null : JSON.stringify(r.result),
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

/** A new operation goes out: the outbox relay publishes its job now, subscribers see it, the caller gets its view. */
export function announceOperation(
  relay: { kick(): void },
  events: { broadcast(op: OperationRecord): void },
  operation: OperationRecord,
): Operation {
  relay.kick();
  events.broadcast(operation);
  return toOperationView(operation);
}

@Injectable()
export class OperationService {
  constructor(@Inject(OperationRepository) private readonly ops: OperationRepository) {}

  async get(id: string): Promise<Operation> {
    return toOperationView(await this.ops.get(id));
  }

  async list(args: OperationListArgs, opts: ListOptions = {}): Promise<OperationConnection> {
    const f = parseInput(operationFilterSchema, { state: args.state, targetId: args.targetId, kind: args.kind });
    const p = parseInput(pageArgsSchema, { first: args.first, after: args.after });
    return toConnection(await this.ops.list(f, p, opts), toOperationView);
  }
}
