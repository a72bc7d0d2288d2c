import { ConflictError, type FleetAllocation, type FleetHost, type FleetNumaNode } from '@netpin/contracts';
import { cloneHost, expandHost, type CompactHost } from './compact';
import type { PlacementOptions } from './config';
import type { HostRt } from './host-state';

/** A plan that no longer fits the snapshot it is applied to (stale plan, double apply). */
export class PlacementConflictError extends ConflictError {
  constructor(
    message: string,
    readonly reason:
      | 'CPU_TAKEN'
      | 'VF_TAKEN'
      | 'MEMORY'
      | 'SHARED_CAPACITY'
      | 'BANDWIDTH'
      | 'IO_SET'
      | 'PMD_CAPACITY'
      | 'VM_EXISTS'
      | 'UNKNOWN_HOST'
      | 'UNKNOWN_RESOURCE',
  ) {
    super(message, { reason });
  }
}

/** Check an allocation against a host's current state; throws before anything changes. */
export function validateAllocation(
  h: HostRt,
  a: FleetAllocation,
  opts: Pick<PlacementOptions, 'sharedCpuRatio' | 'pmdQueuesPerCore'>,
): void {
  const ratio = opts.sharedCpuRatio;
  const fail = (reason: PlacementConflictError['reason'], msg: string): never => {
    throw new PlacementConflictError(`plan for ${a.vmId} on ${h.host.name}: ${msg}`, reason);
  };
  if (h.allocations.has(a.vmId)) fail('VM_EXISTS', 'the VM already holds resources on this host');
  const takenPerNode = new Map<number, number>();
  const freshIoNodes = new Set<number>();
  for (const c of a.cpus) {
    const pos = h.posOf(c.cpu);
    if (pos === undefined) fail('UNKNOWN_RESOURCE', `no CPU ${c.cpu}`);
    else {
      if (!h.isFree(pos)) fail('CPU_TAKEN', `CPU ${c.cpu} is reserved or held by ${h.owner(pos)?.vmId ?? 'the host'}`);
      takenPerNode.set(h.cpuNode[pos], (takenPerNode.get(h.cpuNode[pos]) ?? 0) + 1);
      if (c.role === 'IRQ') freshIoNodes.add(h.cpuNode[pos]);
    }
  }
  if (new Set(a.cpus.map((c) => c.cpu)).size !== a.cpus.length) fail('CPU_TAKEN', 'a CPU appears twice');
  for (const n of a.ioNodes) {
    const node = h.node(n);
    if (freshIoNodes.has(n) && node.ioCpus.length > 0) fail('IO_SET', `node ${n} already has I/O CPUs`);
    if (!freshIoNodes.has(n) && node.ioCpus.length === 0) fail('IO_SET', `node ${n} has no I/O CPUs yet`);
  }
  const sharedAdd = new Map(a.sharedVcpus.map((s) => [s.node, s.vcpus]));
  for (const node of h.nodes) {
    const unownedAfter = node.unowned - (takenPerNode.get(node.index) ?? 0);
    if (node.sharedUsed + (sharedAdd.get(node.index) ?? 0) > unownedAfter * ratio)
      fail('SHARED_CAPACITY', `node ${node.index} shared pool would be overcommitted`);
  }
  for (const m of a.memory) if (h.node(m.node).memFree < m.mib) fail('MEMORY', `node ${m.node} has ${h.node(m.node).memFree} MiB free`);
  for (const p of a.hugepages) if (h.node(p.node).huge[p.size] < p.pages) fail('MEMORY', `node ${p.node} lacks ${p.size} pages`);
  for (const v of a.vfs) {
    const nic = h.nicById.get(v.nicId);
    if (!nic) fail('UNKNOWN_RESOURCE', `no NIC ${v.nicId}`);
    else if (!nic.freeVfs.includes(v.vfIndex)) fail('VF_TAKEN', `VF ${v.vfIndex} of ${nic.nic.name} is not free`);
  }
  if (new Set(a.vfs.map((v) => `${v.nicId}/${v.vfIndex}`)).size !== a.vfs.length) fail('VF_TAKEN', 'a VF appears twice');
  for (const p of a.pmdQueues) {
    const node = h.node(p.node);
    if (node.pmdUsed + p.queues > node.pmdCores * opts.pmdQueuesPerCore)
      fail('PMD_CAPACITY', `node ${p.node}'s PMD cores poll ${node.pmdUsed} of ${node.pmdCores * opts.pmdQueuesPerCore} queues`);
  }
  const msg = bandwidthOvercommit(h, a);
  if (msg !== null) fail(msg.startsWith('no NIC') ? 'UNKNOWN_RESOURCE' : 'BANDWIDTH', msg);
}

/**
 * A plan made on an older snapshot (two placements at once) may promise bandwidth another
 * plan took meanwhile: what applying it would over-commit, or null.
 */
function bandwidthOvercommit(h: HostRt, a: FleetAllocation): string | null {
  const add = new Map<string, number>();
  for (const b of a.bandwidth) add.set(b.nicId, (add.get(b.nicId) ?? 0) + b.mbps);
  for (const [nicId, mbps] of add) {
    const nic = h.nicById.get(nicId);
    if (!nic) return `no NIC ${nicId}`;
    if (nic.bwUsed + mbps > nic.nic.speedMbps)
      return `${nic.nic.name} has ${nic.nic.speedMbps - nic.bwUsed} Mb/s unpromised, the plan promises ${mbps}`;
  }
  return null;
}

/**
 * A host's working state in snapshot form (new objects). The owners in its columns are kept
 * current by HostRt.apply/release, so this only reads them out, with the node fields.
 */
export function materializeHost(h: HostRt): FleetHost {
  return { ...expandHost(h.host), numaNodes: currentNodes(h) };
}

/** A private copy of a host's current state in columns (for a throw-away HostRt). */
export function copyHost(h: HostRt): CompactHost {
  return { ...cloneHost(h.host), numaNodes: currentNodes(h) };
}

function currentNodes(h: HostRt): FleetNumaNode[] {
  return h.host.numaNodes.map((n) => {
    const rt = h.nodeAt(n.index);
    if (!rt) return n;
    return { ...n, memoryFreeMiB: rt.memFree, hugepages: n.hugepages.map((p) => ({ ...p, free: rt.huge[p.size] })) };
  });
}
