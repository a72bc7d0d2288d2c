import { Inject, Injectable } from '@nestjs/common';
import { listArgsSchema, OPERATION_STATES, parseInput } from '@netpin/contracts';
import { OperationRepository, type OperationRecord } from '@netpin/db';
import { z } from 'zod';
import type { Operation } from './operation.model';

const listSchema = listArgsSchema({
  state: z.enum(OPERATION_STATES).optional(),
  targetId: z.string().max(64).optional(),
  kind: z
    .string()
    .regex(/^[a-z]+\.[A-Za-z]+$/, 'kind looks like vm.create')
    .optional(),
  first: z.number().int().min(1, 'first must be between 1 and 500').max(500, 'first must be between 1 and 500').default(50),
});

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

@Injectable()
export class OperationService {
  constructor(@Inject(OperationRepository) private readonly ops: OperationRepository) {}

  async get(id: string): Promise<Operation> {
    return toOperationView(await this.ops.get(id));
  }

  async list(filter: { state?: string; targetId?: string; kind?: string; first?: number }): Promise<Operation[]> {
    const f = parseInput(listSchema, filter);
    return (await this.ops.list(f)).map(toOperationView);
  }
}
