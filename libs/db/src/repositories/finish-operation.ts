import type { SqlReader } from '../sql-reader';
import { operationArg, operationFromJson, type NewOperation, type OperationRecord } from './operation.repository';
import { finishedOf, outcomeData, type FinishedOperation, type OperationOutcome, type VmEffect } from './vm-effects';

/** What finishOperation writes besides the operation (provisioning.repository.ts OutcomeEffects, without a release). */
export interface OneStatementEffects {
  vm?: VmEffect;
  parent?: { id: string; outcome: OperationOutcome };
  followUps?: NewOperation[];
}

/** The parent each finished operation's statement returned, for its broadcast without a second read. */
const parents = new WeakMap<OperationRecord, OperationRecord>();

/**
 * The parent operation as the statement that finished `op` left it (finishOperation with a
 * `parent` effect); undefined when there was none, or it had finished before (read it).
 */
export function finishedParent(op: OperationRecord): OperationRecord | undefined {
  return parents.get(op);
}

function vmArg(v: VmEffect): Record<string, unknown> {
  return {
    id: v.id,
    state: v.state,
    generation: v.generation,
    ...(v.error !== undefined
      ? { error: v.error && { code: v.error.code, message: v.error.message, stderr: v.error.stderr ?? null } }
      : {}),
  };
}

/**
 * A job's outcome in one statement (netpin_finish_operation, migration 20261205080000): the
 * operation, its parent, the VM's state, generation and error, and the follow-up operations
 * with their outbox rows. Nothing is written (record null) when the operation had already
 * finished. `finished`: the operations this moved to SUCCEEDED or FAILED.
 */
export async function finishInOneStatement(
  sql: SqlReader,
  operationId: string,
  outcome: OperationOutcome,
  effects: OneStatementEffects,
): Promise<{ record: OperationRecord | null; finished: FinishedOperation[] }> {
  const at = new Date();
  const arg = JSON.stringify({
    id: operationId,
    at,
    set: outcomeData(outcome, at),
    parent: effects.parent && {
      id: effects.parent.id,
      set: outcomeData({ state: effects.parent.outcome.state, error: effects.parent.outcome.error }, at),
    },
    vm: effects.vm && vmArg(effects.vm),
    followUps: (effects.followUps ?? []).map((f) => operationArg(f, at)),
  });
  const [row] = await sql.query<{ r: { operation: unknown; parent: unknown } | null }>(`SELECT netpin_finish_operation($1::jsonb) AS r`, [
    arg,
  ]);
  if (!row?.r) return { record: null, finished: [] };
  const record = operationFromJson(row.r.operation);
  const parent = row.r.parent ? operationFromJson(row.r.parent) : undefined;
  if (parent) parents.set(record, parent);
  const finished = [record, parent].flatMap((r) => (r ? [finishedOf(r)].filter((f) => f !== null) : []));
  return { record, finished };
}
