import type { GqlClient, TypedDocument } from '../lib/client';
import type { HostDetailQuery } from '@netpin/client/operations';

type Host = HostDetailQuery['host'];

type Role = 'VCPU' | 'EMULATOR' | 'VHOST' | 'IRQ';
const names: Record<string, string> = { 'vm-a': 'web-1', 'vm-b': 'web-2' };
const use = (role: Role, vmId: string) => ({ role, vmId, vmName: names[vmId] ?? vmId });

/** A CPU accounted to `allocation`'s VM, with further roles (`more`) other VMs' plans give it. */
export function cpu(
  cpuId: number,
  core: number,
  allocation: { vmId: string; role: Role } | null,
  reservedForHost = false,
  more: [Role, string][] = [],
) {
  const uses = [...(allocation ? [use(allocation.role, allocation.vmId)] : []), ...more.map(([r, vm]) => use(r, vm))];
  return {
    cpuId,
    core,
    socket: 0,
    numaNode: 0,
    siblings: [cpuId],
    reservedForHost,
    allocation: allocation ? { ...allocation, vmName: names[allocation.vmId] ?? allocation.vmId } : null,
    uses,
  };
}

const verified = { source: 'VERIFIED' as const, at: '2026-01-01T11:00:00Z', vmId: 'vm-a', vmName: 'web-1' };
const discovered = { source: 'DISCOVERED' as const, at: '2026-01-01T10:00:00Z', vmId: null, vmName: null };
const counts = { total: 5, reservedForHost: 1, usable: 4, allocated: 3, free: 1 };

/** One node, five CPUs: 0 host-reserved, 1 vCPU of web-1, 2 the I/O CPU (IRQs of web-1, vhost of web-2), 3 vCPU of web-2, 4 free. */
export const hostFixture: Host = {
  id: 'h1',
  name: 'hv1',
  address: '10.0.0.1',
  port: 22,
  sshUser: 'root',
  state: 'READY',
  stateReason: null,
  lastDiscoveredAt: '2026-01-01T10:00:00Z',
  capabilities: { iommu: true, vhostNet: true, kvm: true, vmx: true, svm: false, ept: true, npt: false, ovs: false },
  foreignDomains: [{ name: 'legacy-db', cpus: [4], pciDevices: ['0000:3b:10.1'] }],
  labels: [],
  cpuCounts: counts,
  vms: [
    { id: 'vm-a', name: 'web-1', state: 'RUNNING', planState: verified },
    { id: 'vm-b', name: 'web-2', state: 'PROVISIONING', planState: { source: 'PLANNED', at: null, vmId: 'vm-b', vmName: 'web-2' } },
  ],
  numaNodes: [
    {
      index: 0,
      memoryMiB: 65536,
      hugepages: [],
      cpuCounts: counts,
      cpus: [
        cpu(0, 0, null, true),
        cpu(1, 1, { vmId: 'vm-a', role: 'VCPU' }),
        cpu(2, 2, { vmId: 'vm-a', role: 'IRQ' }, false, [['VHOST', 'vm-b']]),
        cpu(3, 3, { vmId: 'vm-b', role: 'VCPU' }),
        cpu(4, 4, null),
      ],
    },
  ],
  nics: [
    {
      id: 'n1',
      name: 'ens1f0',
      pciAddress: '0000:3b:00.0',
      driver: 'ixgbe',
      numaNode: 0,
      speedMbps: 10000,
      mtu: 1500,
      maxMtu: 9702,
      linkState: 'up',
      combinedQueues: 4,
      maxCombinedQueues: 8,
      sriovNumVfs: 2,
      sriovTotalVfs: 64,
      vfCounts: { configured: 2, allocated: 1, free: 1 },
      irqs: [0, 1, 2, 3].map((q) => ({
        irq: 100 + q,
        queue: q,
        label: `ens1f0-TxRx-${q}`,
        affinity: [2],
        discoveredAffinity: [0, 1, 2, 3, 4],
        ownerVmId: 'vm-a',
        ownerVmName: 'web-1',
        state: verified,
      })),
      vfs: [
        {
          index: 0,
          pciAddress: null,
          mac: '52:54:00:00:00:0a',
          vlan: 100,
          discoveredMac: '00:00:00:00:00:00',
          linkState: 'auto',
          spoofchk: true,
          trust: false,
          allocatedToVmId: 'vm-a',
          allocatedToVmName: 'web-1',
          state: verified,
        },
        {
          index: 1,
          pciAddress: null,
          mac: '00:00:00:00:00:00',
          vlan: 0,
          discoveredMac: '00:00:00:00:00:00',
          linkState: 'auto',
          spoofchk: true,
          trust: false,
          allocatedToVmId: null,
          allocatedToVmName: null,
          state: discovered,
        },
      ],
    },
  ],
};

export type Handler = (variables: Record<string, unknown>) => unknown;

/** A client whose answers are chosen by operation name; an unexpected operation fails loudly. */
export function stubClient(handlers: Record<string, Handler>) {
  const calls: { op: string; variables: Record<string, unknown> }[] = [];
  const subscriptions: { op: string; variables: Record<string, unknown>; next: (d: unknown) => void; error: (e: Error) => void }[] = [];
  const opName = (text: string) => /(?:query|mutation|subscription)\s+(\w+)/.exec(text)?.[1] ?? '?';
  const client: GqlClient = {
    request<T, V>(doc: TypedDocument<T, V>, variables: V): Promise<T> {
      const op = opName(doc.toString());
      calls.push({ op, variables: variables as Record<string, unknown> });
      const h = handlers[op];
      if (!h) return Promise.reject(new Error(`unexpected operation ${op}`));
      try {
        return Promise.resolve(h(variables as Record<string, unknown>) as T);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    subscribe(doc, variables, sink) {
      subscriptions.push({
        op: opName(doc.toString()),
        variables: variables as Record<string, unknown>,
        next: (d) => sink.next(d as never),
        error: (e) => sink.error(e),
      });
      return () => undefined;
    },
  };
  return { client, calls, subscriptions };
}
