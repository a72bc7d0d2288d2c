import type { GqlClient, TypedDocument } from '../lib/client';
import type { HostDetailQuery } from '@netpin/client/operations';

type Host = HostDetailQuery['host'];

export function cpu(
  cpuId: number,
  core: number,
  allocation: { vmId: string; role: 'VCPU' | 'EMULATOR' | 'VHOST' | 'IRQ' } | null,
  reservedForHost = false,
) {
  return { cpuId, core, socket: 0, numaNode: 0, siblings: [cpuId], reservedForHost, allocation };
}

export const hostFixture: Host = {
  id: 'h1',
  name: 'hv1',
  address: '10.0.0.1',
  port: 22,
  sshUser: 'root',
  state: 'READY',
  stateReason: null,
  lastDiscoveredAt: null,
  capabilities: { iommu: true, vhostNet: true, kvm: true, vmx: true, svm: false, ept: true, npt: false, ovs: false },
  labels: [],
  numaNodes: [
    {
      index: 0,
      memoryMiB: 65536,
      hugepages: [],
      cpus: [
        cpu(0, 0, null, true),
        cpu(1, 1, { vmId: 'vm-a', role: 'VCPU' }),
        cpu(2, 2, { vmId: 'vm-a', role: 'IRQ' }),
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
      linkState: 'up',
      combinedQueues: 4,
      maxCombinedQueues: 8,
      sriovNumVfs: 2,
      sriovTotalVfs: 4,
      irqs: [],
      vfs: [
        { index: 0, pciAddress: null, mac: null, vlan: 0, linkState: 'auto', spoofchk: true, trust: false, allocatedToVmId: 'vm-a' },
        { index: 1, pciAddress: null, mac: null, vlan: 0, linkState: 'auto', spoofchk: true, trust: false, allocatedToVmId: null },
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
