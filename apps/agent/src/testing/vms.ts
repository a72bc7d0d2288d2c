import { domainNameSchema, ifNameSchema, macAddressSchema, pciAddressSchema, vlanIdSchema, type VmDesiredState } from '@netpin/contracts';
import type { SimHost } from '@netpin/hostsim';
import { renderDomain, type InterfaceSpec } from '@netpin/libvirt-xml';
import type { JobBody } from './harness';

/** Test VMs for the agent's specs: one per datapath, as the API would send them. */
export const ifn = (s: string) => ifNameSchema.parse(s);
const mac = (s: string) => macAddressSchema.parse(s);

/** The VM id of each test VM: its domain's ownership mark. */
export function vmIdOf(name: string): string {
  const hex = Buffer.from(name).toString('hex').padEnd(12, '0').slice(0, 12);
  return `00000000-0000-4000-8000-${hex}`;
}

/** Rendered the way the API does it, with @netpin/libvirt-xml. */
export function domainXml(name: string, cpus: number[], iface: InterfaceSpec): string {
  return renderDomain({
    name: domainNameSchema.parse(name),
    owner: { vmId: vmIdOf(name) },
    memoryMiB: 1024,
    vcpus: cpus.length,
    cputune: { vcpupins: cpus.map((c, vcpu) => ({ vcpu, cpuset: [c] })) },
    interfaces: [iface],
  });
}

export type Desired = Omit<VmDesiredState, 'vmName'> & { vmName: VmDesiredState['vmName'] };

/** One VM per datapath, hand-written as the API would send it. */
export function desiredFor(host: SimHost): Desired {
  const name = host.hostname;
  switch (host.spec.nics[0].name) {
    case 'eno1': {
      // dual-socket-sriov: an SR-IOV VF of ens1f0 passed through, its NIC IRQs on node 0.
      const vfPci = host.model.vfPci(host.spec.nics[1], 1);
      return {
        vmId: vmIdOf(`${name}-sriov`),
        vmName: `${name}-sriov` as Desired['vmName'],
        vmGeneration: 0,
        domainXml: domainXml(`${name}-sriov`, [4, 5], {
          type: 'hostdev',
          mac: mac('52:54:00:aa:00:01'),
          pciAddress: pciAddressSchema.parse(vfPci),
        }),
        vfs: [
          {
            pf: ifn('ens1f0'),
            vfIndex: 1,
            mac: mac('52:54:00:aa:00:01'),
            vlan: vlanIdSchema.parse(100),
            vlanProtocol: 'DOT1Q',
            spoofchk: true,
            trust: false,
            maxTxRateMbps: 1000,
            minTxRateMbps: 0,
          },
        ],
        irqAffinity: [
          { irq: 100, cpus: [2] },
          { irq: 101, cpus: [3] },
        ],
        rps: [],
        vhostUserPorts: [],
        vdpaDevices: [],
        start: true,
      };
    }
    case 'enp1s0':
      // small-one-node: vhost-net virtio on a Linux bridge, 2 queues, RPS on the uplink.
      return {
        vmId: vmIdOf(`${name}-vhost`),
        vmName: `${name}-vhost` as Desired['vmName'],
        vmGeneration: 0,
        domainXml: domainXml(`${name}-vhost`, [2, 3], {
          type: 'bridge',
          mac: mac('52:54:00:bb:00:01'),
          bridge: ifn('br0'),
          model: 'virtio',
          driver: { name: 'vhost', queues: 2 },
        }),
        vfs: [],
        irqAffinity: [{ irq: 30, cpus: [1] }],
        rps: [
          { dev: ifn('enp1s0'), rxQueue: 0, cpus: [1] },
          { dev: ifn('enp1s0'), rxQueue: 1, cpus: [1, 5] },
        ],
        vhostUserPorts: [],
        vdpaDevices: [],
        start: true,
      };
    default:
      // legacy-no-iommu: e1000 emulation on a bridge (no virtio drivers in the guest).
      return {
        vmId: vmIdOf(`${name}-e1000`),
        vmName: `${name}-e1000` as Desired['vmName'],
        vmGeneration: 0,
        domainXml: domainXml(`${name}-e1000`, [1], { type: 'bridge', mac: mac('52:54:00:cc:00:01'), bridge: ifn('br0'), model: 'e1000' }),
        vfs: [],
        irqAffinity: [{ irq: 26, cpus: [3] }],
        rps: [{ dev: ifn('eth0'), rxQueue: 0, cpus: [2, 3] }],
        vhostUserPorts: [],
        vdpaDevices: [],
        start: true,
      };
  }
}

/** The teardown the API sends for a VM with this desired state: everything it set, by key. */
export function teardownOf(want: Desired): Omit<JobBody<'vm.teardown'>, 'host'> {
  return {
    vmId: want.vmId,
    vmName: want.vmName,
    vfs: want.vfs.map((v) => ({ pf: v.pf, vfIndex: v.vfIndex })),
    irqs: want.irqAffinity.map((i) => i.irq),
    rps: want.rps.map((r) => ({ dev: r.dev, rxQueue: r.rxQueue })),
  };
}
