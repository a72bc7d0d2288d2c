import { HOST_OPS_QUEUE, type ConfigureSriovPayload } from '@netpin/contracts';
import type { NewOperation, SriovReconcileInput, SriovReconcileWrites, SriovTargetRecord, SriovTargetWrite } from '@netpin/db';
import { resolveSriovPolicies, type SriovDecision } from '@netpin/placement';
import { hostTarget } from '../vms/desired-state';

export interface PlanOptions {
  /** Retry targets whose last host.configureSriov failed (periodic and requested passes). */
  retryFailed: boolean;
  requestId: string;
  newId: () => string;
}

/**
 * From the inventory, the policies and the targets' operations to the target rows and the
 * host.configureSriov jobs to write. No I/O: runs inside the reconcile transaction.
 *
 * A CONFIGURE decision becomes a job only when the host is READY and no host.configureSriov
 * or host.discover is queued or running on it (one at a time per host; the rediscovery after
 * the job triggers the next pass). While the job and its rediscovery run, the target stays
 * PENDING; if the host still differs after them, or the job failed, it is FAILED and retried
 * only when the policy changes or on a periodic / requested pass, so a PF that cannot take
 * the policy does not loop.
 */
export function planReconcile(input: SriovReconcileInput, opts: PlanOptions): SriovReconcileWrites {
  const hosts = input.hosts.map((h) => ({ id: h.host.id, name: h.host.name, labels: h.host.labels, pfs: h.pfs }));
  const decisions = resolveSriovPolicies(hosts, input.policies);
  const policyByName = new Map(input.policies.map((p) => [p.name, p]));
  const hostById = new Map(input.hosts.map((h) => [h.host.id, h.host]));
  const existing = new Map(input.targets.map((t) => [`${t.policyId}/${t.nicId}`, t]));
  const busy = new Map(input.busyHosts);
  const targets: SriovTargetWrite[] = [];
  const operations: NewOperation[] = [];

  for (const d of decisions) {
    const policy = policyByName.get(d.policy);
    const host = hostById.get(d.hostId);
    if (!policy || !host) continue;
    const base = { policyId: policy.id, nicId: d.pfId, hostId: d.hostId };
    const prev = existing.get(`${policy.id}/${d.pfId}`);
    const keepOp = prev?.operationId ?? null;
    switch (d.action) {
      case 'CONVERGED':
        targets.push({ ...base, state: 'CONVERGED', reason: null, blockedBy: [], operationId: keepOp });
        continue;
      case 'BLOCKED':
      case 'FAILED':
        targets.push({ ...base, state: d.action, reason: d.reason, blockedBy: d.blockedBy, operationId: keepOp });
        continue;
      case 'CONFIGURE':
        break;
    }
    const waiting = afterOperation(d, prev, input, opts, policy.updatedAt);
    if (waiting) {
      targets.push({ ...base, ...waiting });
      continue;
    }
    const notFree = hostNotFree(host, busy);
    if (notFree) {
      // no operation of ours on the target while it waits: the next pass starts one
      targets.push({ ...base, state: 'PENDING', reason: notFree, blockedBy: [], operationId: null });
      continue;
    }
    const id = opts.newId();
    operations.push(configureJob(id, d, host, opts.requestId));
    busy.set(host.id, id);
    targets.push({ ...base, state: 'PENDING', reason: `${d.reason} (policy ${policy.name})`, blockedBy: [], operationId: id });
  }
  return { targets, operations };
}

type PlanHost = SriovReconcileInput['hosts'][number]['host'];

/** Why a host cannot take a host.configureSriov now (not READY, or a configureSriov / discover queued or running), or null. */
function hostNotFree(host: PlanHost, busy: Map<string, string>): string | null {
  if (host.state !== 'READY') return `host ${host.name} is ${host.state}; reconciled once it is READY`;
  const running = busy.get(host.id);
  return running ? `waiting for operation ${running} on ${host.name}` : null;
}

/** The host.configureSriov job that brings one PF to the decision's desired state. */
function configureJob(id: string, d: SriovDecision, host: PlanHost, requestId: string): NewOperation {
  const payload: ConfigureSriovPayload = {
    operationId: id,
    requestId,
    host: hostTarget(host),
    pf: d.pfName as ConfigureSriovPayload['pf'],
    numVfs: d.desired.numVfs,
    vfDefaults: {
      spoofchk: d.desired.spoofchk,
      trust: d.desired.trust,
      linkState: d.desired.linkState,
      maxTxRateMbps: d.desired.maxTxRateMbps,
    },
    keepVfs: d.heldVfs,
    refuseIfVfsInUse: true,
  };
  return {
    id,
    kind: 'host.configureSriov',
    targetType: 'host',
    targetId: host.id,
    requestId,
    job: { queue: HOST_OPS_QUEUE, name: 'host.configureSriov', payload },
  };
}

type Waiting = Omit<SriovTargetWrite, 'policyId' | 'nicId' | 'hostId'>;

/** A CONFIGURE decision for a target that already has an operation: wait, fail, or go on. */
function afterOperation(
  d: SriovDecision,
  prev: SriovTargetRecord | undefined,
  input: SriovReconcileInput,
  opts: PlanOptions,
  policyUpdatedAt: Date,
): Waiting | null {
  if (!prev?.operationId) return null;
  const op = input.operations.get(prev.operationId);
  if (!op) return null;
  const operationId = op.id;
  if (prev.state === 'PENDING') {
    if (op.state === 'QUEUED' || op.state === 'RUNNING') return { state: 'PENDING', reason: prev.reason, blockedBy: [], operationId };
    if (op.state === 'FAILED')
      return { state: 'FAILED', reason: `host.configureSriov failed: ${op.errorMessage ?? 'no message'}`, blockedBy: [], operationId };
    if (op.rediscovery === 'QUEUED' || op.rediscovery === 'RUNNING')
      return { state: 'PENDING', reason: 'waiting for the rediscovery after host.configureSriov', blockedBy: [], operationId };
    // the job succeeded and its rediscovery is in, yet the PF still differs
    const skipped = (op.result as { skippedInUse?: number[] } | null)?.skippedInUse ?? [];
    const why = skipped.length ? `; VF(s) ${skipped.join(', ')} carry a MAC but no netpin VM holds them` : '';
    return {
      state: 'FAILED',
      reason: `${d.pfName} still differs after host.configureSriov (${d.reason})${why}`,
      blockedBy: [],
      operationId,
    };
  }
  // FAILED after an operation stays FAILED until the policy changes or a periodic/requested pass retries
  if (prev.state === 'FAILED' && !opts.retryFailed && policyUpdatedAt <= prev.updatedAt) {
    return { state: 'FAILED', reason: prev.reason, blockedBy: [], operationId };
  }
  return null;
}
