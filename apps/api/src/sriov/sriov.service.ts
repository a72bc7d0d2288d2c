import { Inject, Injectable, Logger } from '@nestjs/common';
import { createSriovPolicyInputSchema, parseInput, resourceNameSchema, updateSriovPolicyInputSchema } from '@netpin/contracts';
import { SriovPolicyRepository, type SriovPolicyRecord, type SriovTargetRecord } from '@netpin/db';
import { toOperationView } from '../operations/operation.service';
import type { Operation } from '../operations/operation.model';
import type { CreateSriovPolicyInput, SriovPolicy, SriovPolicyStatus, UpdateSriovPolicyInput } from './sriov.model';
import { SriovReconciler } from './sriov.reconciler';

export function toStatus(targets: SriovTargetRecord[]): SriovPolicyStatus {
  const count = (s: string) => targets.filter((t) => t.state === s).length;
  return {
    hostsMatched: new Set(targets.map((t) => t.hostId)).size,
    pfsMatched: targets.length,
    converged: count('CONVERGED'),
    pending: count('PENDING'),
    blocked: count('BLOCKED'),
    failed: count('FAILED'),
    targets: targets.map((t) => ({
      hostId: t.hostId,
      hostName: t.hostName,
      nicId: t.nicId,
      nicName: t.nicName,
      state: t.state,
      reason: t.reason,
      blockedBy: t.blockedBy,
      operationId: t.operationId,
      updatedAt: t.updatedAt,
    })),
  };
}

function toView(p: SriovPolicyRecord, targets: SriovTargetRecord[]): SriovPolicy {
  return { ...p, hostLabels: Object.entries(p.hostLabels).map(([key, value]) => ({ key, value })), status: toStatus(targets) };
}

/** SR-IOV policies: validated writes, each followed by a reconcile pass, and their status. */
@Injectable()
export class SriovPolicyService {
  private readonly logger = new Logger(SriovPolicyService.name);

  constructor(
    @Inject(SriovPolicyRepository) private readonly repo: SriovPolicyRepository,
    @Inject(SriovReconciler) private readonly reconciler: SriovReconciler,
  ) {}

  async list(): Promise<SriovPolicy[]> {
    const policies = await this.repo.list();
    const targets = await this.repo.targets(policies.map((p) => p.id));
    return policies.map((p) => toView(p, targets.get(p.id) ?? []));
  }

  async get(name: string): Promise<SriovPolicy> {
    const p = await this.repo.get(parseInput(resourceNameSchema, name, 'name'));
    return toView(p, (await this.repo.targets([p.id])).get(p.id) ?? []);
  }

  async create(input: CreateSriovPolicyInput, requestId: string): Promise<SriovPolicy> {
    const p = await this.repo.create(parseInput(createSriovPolicyInputSchema, input));
    return this.afterChange(p.name, requestId);
  }

  async update(name: string, input: UpdateSriovPolicyInput, requestId: string): Promise<SriovPolicy> {
    const key = parseInput(resourceNameSchema, name, 'name');
    const p = await this.repo.update(key, parseInput(updateSriovPolicyInputSchema, input ?? {}));
    return this.afterChange(p.name, requestId);
  }

  /** The PFs keep their VFs: deleting a policy stops managing them, it does not undo it. */
  async remove(name: string, requestId: string): Promise<SriovPolicy> {
    const key = parseInput(resourceNameSchema, name, 'name');
    const before = await this.get(key);
    await this.repo.delete(key);
    await this.reconcileQuietly(requestId);
    return before;
  }

  async reconcile(requestId: string): Promise<Operation[]> {
    return (await this.reconciler.reconcile({ retryFailed: true, requestId })).map(toOperationView);
  }

  /** The returned status is the one the pass decided (PENDING with its operation, BLOCKED, FAILED ...). */
  private async afterChange(name: string, requestId: string): Promise<SriovPolicy> {
    await this.reconcileQuietly(requestId);
    return this.get(name);
  }

  private async reconcileQuietly(requestId: string): Promise<void> {
    // the policy is stored: a failed pass is retried by the next event or periodic pass
    await this.reconciler
      .reconcile({ retryFailed: false, requestId })
      .catch((e: unknown) => this.logger.warn({ err: e, requestId }, 'SR-IOV reconcile after a policy change failed'));
  }
}
