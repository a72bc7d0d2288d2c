import { API_CONFIG, type ApiConfig } from '../config';
import { Inject, Injectable } from '@nestjs/common';
import {
  BadUserInputError,
  ConflictError,
  HOST_OPS_QUEUE,
  ifNameSchema,
  NotFoundError,
  parseInput,
  type OperationResult,
} from '@netpin/contracts';
import {
  DiscoveryRepository,
  HostRepository,
  OperationRepository,
  ProvisioningRepository,
  type HostRecord,
  type JobSpec,
  type OperationRecord,
} from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { OutboxRelay } from '../jobs/outbox.relay';
import { OperationEvents } from '../operations/operation.events';
import { toOperationView } from '../operations/operation.service';
import type { Operation } from '../operations/operation.model';
import { hostTarget } from '../vms/desired-state';
import { SriovReconciler } from '../sriov/sriov.reconciler';
import { FactsBatcher } from './facts-batcher';

function discoverJob(host: HostRecord, operationId: string, requestId: string): JobSpec {
  return { queue: HOST_OPS_QUEUE, name: 'host.discover', payload: { operationId, requestId, host: hostTarget(host) } };
}

/** discoverHost: queue a host.discover job; its result fills the inventory. */
@Injectable()
export class DiscoveryService {
  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(DiscoveryRepository) private readonly discovery: DiscoveryRepository,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(ProvisioningRepository) private readonly prov: ProvisioningRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(OperationEvents) private readonly events: OperationEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(SriovReconciler) private readonly sriov: SriovReconciler,
  ) {}

  /** Results of several hosts written together (one transaction, one PlacementState hold). */
  private readonly facts = new FactsBatcher(
    (items) => this.discovery.applyFactsMany(items, this.config.NETPIN_HOST_RESERVED_CORES_PER_NODE),
    (hostId) => new NotFoundError('host', hostId),
  );

  async discover(id: string, requestId: string): Promise<Operation> {
    const host = await this.hosts.get({ id });
    if (!host.hostKeyFingerprint && !host.trustOnFirstUse) {
      throw new ConflictError(`host ${host.name} has no pinned host key; give hostKeyFingerprint or set trustOnFirstUse explicitly`, {
        field: 'hostKeyFingerprint',
      });
    }
    const operationId = randomUUID();
    const op = await this.discovery.startDiscovery(host.id, {
      id: operationId,
      kind: 'host.discover',
      targetType: 'host',
      targetId: host.id,
      requestId,
      job: discoverJob(host, operationId, requestId),
    });
    this.relay.kick();
    this.events.broadcast(op);
    return toOperationView(op);
  }

  /**
   * Set a PF's VF count (through 0 when changing, as the kernel requires), then rediscover.
   * Refused while any VF of the PF is allocated: changing numvfs destroys every VF.
   */
  async configureSriov(id: string, nicName: string, numVfs: number, requestId: string): Promise<Operation> {
    const host = await this.hosts.get({ id });
    const pf = parseInput(ifNameSchema, nicName, 'nic');
    if (!Number.isInteger(numVfs) || numVfs < 0 || numVfs > 256)
      throw BadUserInputError.of('numVfs', 'must be an integer between 0 and 256');
    const nics = (await this.hosts.nicsByHostIds([host.id])).get(host.id) ?? [];
    const nic = nics.find((n) => n.name === pf);
    if (!nic) throw new NotFoundError('nic', `${host.name}/${pf}`);
    if (nic.sriovTotalVfs === 0) throw BadUserInputError.of('nic', `${pf} on ${host.name} is not SR-IOV capable`);
    if (numVfs > nic.sriovTotalVfs) throw BadUserInputError.of('numVfs', `${pf} supports at most ${nic.sriovTotalVfs} VFs`);
    const held = nic.vfs.filter((v) => v.allocatedToVmId);
    // with VFs present, changing the count destroys them all; with none present (after a
    // reboot reset numvfs) there is nothing to disrupt and restoring them is the repair
    if (held.length && nic.sriovNumVfs > 0 && numVfs !== nic.sriovNumVfs) {
      throw new ConflictError(`${pf} on ${host.name} has ${held.length} allocated VF(s); release them first`, {
        vms: [...new Set(held.map((v) => v.allocatedToVmId))],
      });
    }
    const operationId = randomUUID();
    const op = await this.ops.create({
      id: operationId,
      kind: 'host.configureSriov',
      targetType: 'host',
      targetId: host.id,
      requestId,
      job: { queue: HOST_OPS_QUEUE, name: 'host.configureSriov', payload: { operationId, requestId, host: hostTarget(host), pf, numVfs } },
    });
    this.relay.kick();
    this.events.broadcast(op);
    return toOperationView(op);
  }

  /** After every host result: a configure finished or the inventory changed, so SR-IOV policies get a pass over that host. */
  async onResult(op: OperationRecord, result: OperationResult): Promise<OperationRecord | null> {
    const done = await this.finish(op, result);
    if (done && (op.kind === 'host.configureSriov' || op.kind === 'host.discover')) this.sriov.request(op.kind, [op.targetId]);
    return done;
  }

  private async finish(op: OperationRecord, result: OperationResult): Promise<OperationRecord | null> {
    const steps = result.steps;
    if (op.kind === 'host.configureSriov') {
      const error = result.error
        ? { code: result.error.code, message: result.error.message, stderr: result.error.stderr ?? null }
        : undefined;
      if (result.status !== 'SUCCEEDED') return this.prov.finishOperation(op.id, { state: 'FAILED', steps, error });
      const host = await this.hosts.get({ id: op.targetId });
      const discoverId = randomUUID();
      // the VF inventory changed: rediscover so placement sees the new VFs
      return this.prov.finishOperation(
        op.id,
        { state: 'SUCCEEDED', steps, result: result.data ?? null },
        {
          followUps: [
            {
              id: discoverId,
              kind: 'host.discover',
              targetType: 'host',
              targetId: host.id,
              parentId: op.id,
              requestId: result.requestId,
              job: discoverJob(host, discoverId, result.requestId),
            },
          ],
        },
      );
    }
    if (result.status === 'SUCCEEDED' && result.kind === 'host.discover' && result.data) {
      await this.facts.apply({ hostId: op.targetId, facts: result.data, observedFingerprint: result.observedHostKeyFingerprint });
      return this.prov.finishOperation(op.id, {
        state: 'SUCCEEDED',
        steps,
        result: { cpus: result.data.cpus.length, nics: result.data.nics.length },
      });
    }
    const error = result.error ?? { code: 'INTERNAL' as const, message: 'discovery returned no facts' };
    await this.discovery.markState(op.targetId, 'UNREACHABLE', `${error.code}: ${error.message}`);
    return this.prov.finishOperation(op.id, {
      state: 'FAILED',
      steps,
      error: { code: error.code, message: error.message, stderr: error.stderr ?? null },
    });
  }
}
