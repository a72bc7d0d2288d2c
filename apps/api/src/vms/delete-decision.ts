import { ConflictError, type PlacementPlan, type VmState } from '@netpin/contracts';
import type { DeleteDecision, HostRecord, VmWithPlan } from '@netpin/db';
import { teardownJob } from './desired-state';

export interface DeleteRequest {
  operationId: string;
  requestId: string;
  /** Any state, whatever runs for the VM; an unreachable host is released in the database only. */
  force: boolean;
  host: HostRecord | null;
  /** Plans of the other VMs holding resources on the host (their IRQs and RPS queues stay). */
  others: PlacementPlan[];
}

/** Kind of a forced delete's operation: its result releases the VM whatever the teardown's outcome. */
export const FORCE_DELETE_KIND = 'vm.forceDelete';

/**
 * What deleting a VM writes, decided with its row locked. A delete raises the VM's generation,
 * so every host job made for it before is stale. Without force, a VM being provisioned or
 * deleted answers CONFLICT. With force: any state but DELETED; a host that is UNREACHABLE gets
 * no teardown (it could not run) and the VM is released in the database at once, which the
 * operation says (a skipped step and its result).
 */
/** A plain delete waits for these to end (a power action in flight included); force deletes anyway. */
const BUSY_STATES: readonly VmState[] = ['PENDING', 'PROVISIONING', 'STARTING', 'STOPPING', 'REBOOTING', 'MIGRATING'];

export function decideDelete(vm: VmWithPlan, r: DeleteRequest): DeleteDecision {
  if (vm.state === 'DELETED') throw new ConflictError(`vm ${vm.name} is already DELETED`, { state: vm.state });
  if (!r.force && vm.state === 'DELETING') throw new ConflictError(`vm ${vm.name} is already DELETING`, { state: vm.state });
  if (!r.force && BUSY_STATES.includes(vm.state))
    throw new ConflictError(`vm ${vm.name} cannot be deleted now (force deletes it in any state)`, { state: vm.state });
  const kind = r.force ? FORCE_DELETE_KIND : 'vm.delete';
  const base = { id: r.operationId, kind, targetType: 'vm' as const, targetId: vm.id, requestId: r.requestId };
  const generation = vm.generation + 1;
  const released = { id: vm.id, state: 'DELETED' as const, release: true, generation };
  // a VM that never got a host, or was already torn down and released, has nothing to undo
  if (!r.host || !vm.holding) return { operation: { ...base, state: 'SUCCEEDED' }, vm: released };
  if (r.force && r.host.state === 'UNREACHABLE') {
    const reason = `host ${r.host.name} is UNREACHABLE: no teardown ran; released in the database only (the host may still hold the domain, its VF settings and IRQ/RPS values; fenced jobs will not restart it)`;
    const now = new Date().toISOString();
    return {
      operation: {
        ...base,
        state: 'SUCCEEDED',
        steps: [{ name: 'teardown skipped: host unreachable', state: 'SKIPPED', startedAt: now, finishedAt: now }],
        result: { releasedInDatabaseOnly: true, reason },
      },
      vm: released,
    };
  }
  const job = teardownJob(r.host, vm.plan, { id: vm.id, generation }, vm.name, r.operationId, r.requestId, r.others);
  return { operation: { ...base, job }, vm: { id: vm.id, state: 'DELETING', generation } };
}
