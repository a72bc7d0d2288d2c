import { hostFactsSchema } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import lscpu from './__fixtures__/lscpu-2s-ht.txt?raw';
import links from './__fixtures__/ip-link-2s.txt?raw';
import interrupts from './__fixtures__/interrupts-2s.txt?raw';
import cmdline from './__fixtures__/cmdline.txt?raw';
import iommu from './__fixtures__/iommu-ls.txt?raw';
import presence from './__fixtures__/presence-all.txt?raw';
import sysfs from './__fixtures__/discovery-sysfs.txt?raw';
import irqfiles from './__fixtures__/discovery-irqfiles.txt?raw';
import virtfnEns1f0 from './__fixtures__/virtfn-ens1f0.txt?raw';
import virtfnMlx from './__fixtures__/virtfn-ens2f0np0.txt?raw';
import ethEns1f0 from './__fixtures__/ethtool-l-ens1f0.txt?raw';
import ethEns1f1 from './__fixtures__/ethtool-l-ens1f1.txt?raw';
import ethMlx from './__fixtures__/ethtool-l-ens2f0np0.txt?raw';
import ethMlxVf from './__fixtures__/ethtool-l-ens2f0v0.txt?raw';
import ethEno1 from './__fixtures__/ethtool-l-eno1.txt?raw';
import dumpForeign from './__fixtures__/dumpxml-foreign.xml?raw';
import dumpNetpin from './__fixtures__/dumpxml-netpin.xml?raw';
import vdpaMgmtdevs from './__fixtures__/vdpa-mgmtdev-mlx5.json?raw';
import vdpaDevs from './__fixtures__/vdpa-dev-mlx5.json?raw';
import type { CommandOutput } from './command';
import { assembleFacts, nextDiscoverySteps, type DiscoveryOutputs } from './discovery';
import { HostOutputParseError } from './errors';

const ok = (stdout: string): CommandOutput => ({ stdout, exitCode: 0 });
const cpuflags =
  'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr vmx smx est tm2 ssse3 tpr_shadow flexpriority ept vpid ept_ad\n';

/** What a host with the fixture files answers, keyed by the exact argv asked. */
const byArgv: Record<string, CommandOutput> = {
  'lscpu -p=CPU,CORE,SOCKET,NODE': ok(lscpu),
  'grep -m 2 -E ^(flags|vmx flags) /proc/cpuinfo': ok(cpuflags),
  'cat -- /proc/cmdline': ok(cmdline),
  'ls -1 -- /sys/class/iommu': ok(iommu),
  'ls -1d -- /dev/kvm /dev/vhost-net /dev/vfio/vfio /sys/bus/vdpa/drivers/vhost_vdpa': ok(`${presence}/sys/bus/vdpa/drivers/vhost_vdpa\n`),
  // ens2f0np0 (mlx5, ConnectX-6 Dx) has mlx5_vdpa: each of its VFs is a vdpa management device
  'vdpa -j mgmtdev show': ok(vdpaMgmtdevs),
  'vdpa -j dev show': ok(vdpaDevs),
  'ip -d link show': ok(links),
  'ovs-vsctl --timeout=5 list-br': ok('br-int\nbr-ex\n'),
  'ovs-vsctl --timeout=5 get Open_vSwitch . dpdk_initialized': ok('true\n'),
  'ovs-vsctl --timeout=5 --if-exists get Open_vSwitch . other_config:pmd-cpu-mask': ok('"0x100006"\n'),
  'ovs-vsctl --timeout=5 --format=csv --data=bare --no-headings --columns=name,datapath_type list Bridge': ok('br-int,netdev\nbr-ex,\n'),
  'virsh list --all --name': ok('legacy-db\nweb-1\n\n'),
  'virsh dumpxml legacy-db': ok(dumpForeign),
  'virsh dumpxml web-1': ok(dumpNetpin),
  'cat -- /proc/interrupts': ok(interrupts),
  'ethtool -l eno1': ok(ethEno1),
  'ethtool -l ens1f0': ok(ethEns1f0),
  'ethtool -l ens1f1': ok(ethEns1f1),
  'ethtool -l ens2f0np0': ok(ethMlx),
  'ethtool -l ens2f0v0': ok(ethMlxVf),
  'readlink -- /sys/class/net/ens1f0/device/virtfn0 /sys/class/net/ens1f0/device/virtfn1 /sys/class/net/ens1f0/device/virtfn2 /sys/class/net/ens1f0/device/virtfn3':
    ok(virtfnEns1f0),
  'readlink -- /sys/class/net/ens2f0np0/device/virtfn0 /sys/class/net/ens2f0np0/device/virtfn1': ok(virtfnMlx),
};

function run(answer: (argv: readonly string[]) => CommandOutput): { out: DiscoveryOutputs; rounds: string[][] } {
  const out: Record<string, CommandOutput> = {};
  const rounds: string[][] = [];
  for (let steps = nextDiscoverySteps(out); steps.length > 0; steps = nextDiscoverySteps(out)) {
    if (rounds.length > 5) throw new Error('discovery does not converge');
    rounds.push(steps.map((s) => s.key));
    for (const s of steps) out[s.key] = answer(s.command.argv);
  }
  return { out, rounds };
}

function fixtureHost(argv: readonly string[]): CommandOutput {
  const key = argv.join(' ');
  if (argv[0] === 'grep' && argv[1] === '-H') {
    // grep -H over a file set: the fixture holds every file of a round; pick the requested.
    const asked = new Set(argv.slice(5));
    const text = sysfs + irqfiles;
    const lines = text.split('\n').filter((l) => [...asked].some((p) => l.startsWith(`${p}:`)));
    return { stdout: lines.map((l) => `${l}\n`).join(''), exitCode: lines.length === 0 ? 1 : 2 };
  }
  const o = byArgv[key];
  if (o === undefined) throw new Error(`unexpected command ${key}`);
  return o;
}

describe('discovery', () => {
  const { out, rounds } = run(fixtureHost);
  const facts = assembleFacts(out);

  it('runs in three rounds', () => {
    expect(rounds[0]).toEqual([
      'lscpu',
      'cpuflags',
      'cmdline',
      'iommu',
      'presence',
      'links',
      'ovsBridges',
      'ovsDpdk',
      'ovsPmdMask',
      'ovsBridgeTypes',
      'domains',
      'vdpaMgmtdevs',
      'vdpaDevs',
      'interrupts',
    ]);
    // every Ethernet link's sysfs files are read; ethtool only for what turned out to be a PCI NIC
    expect(rounds[1]).toEqual(['sysfs', 'virtfn:ens1f0', 'virtfn:ens2f0np0', 'dumpxml:legacy-db', 'dumpxml:web-1']);
    expect(rounds[2]).toEqual(['irqfiles', 'ethtool:eno1', 'ethtool:ens1f0', 'ethtool:ens1f1', 'ethtool:ens2f0np0', 'ethtool:ens2f0v0']);
    expect(rounds).toHaveLength(3);
  });

  it('produces facts that satisfy the contracts schema', () => {
    expect(hostFactsSchema.parse(JSON.parse(JSON.stringify(facts)))).toEqual(facts);
  });

  it('has CPUs, siblings and NUMA nodes with memory and huge pages', () => {
    expect(facts.cpus).toHaveLength(40);
    expect(facts.cpus[12]).toEqual({ cpu: 12, core: 12, socket: 1, node: 1, siblings: [12, 32] });
    expect(facts.numaNodes.map((n) => [n.id, n.cpus.length, n.memTotalKiB])).toEqual([
      [0, 20, 196314056],
      [1, 20, 198180440],
    ]);
    expect(facts.numaNodes[0].hugepages).toEqual([
      { sizeKiB: 2048, total: 1024, free: 1000 },
      { sizeKiB: 1048576, total: 16, free: 12 },
    ]);
  });

  it('has only PCI NICs, with sriov, VFs, queues, IRQs and RPS', () => {
    expect(facts.nics.map((n) => n.name)).toEqual(['eno1', 'ens1f0', 'ens1f1', 'ens2f0np0', 'ens2f0v0']);
    const pf = facts.nics[1];
    expect(pf).toMatchObject({
      pciAddress: '0000:3b:00.0',
      driver: 'i40e',
      numaNode: 0,
      speedMbps: 10000,
      rxQueues: 8,
      txQueues: 40,
      vfOf: null,
    });
    expect(pf.channels).toMatchObject({ maxCombined: 40, combined: 8 });
    expect(pf.sriov?.totalVfs).toBe(64);
    expect(pf.sriov?.numVfs).toBe(4);
    expect(pf.sriov?.vfs.map((v) => [v.index, v.pciAddress, v.vlan])).toEqual([
      [0, '0000:3b:02.0', 100],
      [1, '0000:3b:02.1', 200],
      [2, '0000:3b:02.2', 0],
      [3, '0000:3b:02.3', 0],
    ]);
    expect(pf.irqs.map((i) => [i.queue, i.affinity])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((q) => [q, [2 + q]]));
    expect(pf.rps[0]).toEqual({ queue: 0, cpus: [20, 21, 22, 23] });
    expect(facts.nics[2]).toMatchObject({ name: 'ens1f1', speedMbps: null, sriov: { totalVfs: 64, numVfs: 0, vfs: [] } });
    expect(facts.nics[0]).toMatchObject({ name: 'eno1', sriov: null, channels: { rx: 4, tx: 1 } });
    expect(facts.nics[0].rps[3].cpus).toHaveLength(40);
    const mlx = facts.nics[3];
    expect(mlx.numaNode).toBe(1);
    expect(mlx.irqs.map((i) => i.affinity)).toEqual([10, 11, 12, 13, 14, 15, 16, 17].map((c) => [c]));
    expect(facts.nics[4]).toMatchObject({ name: 'ens2f0v0', vfOf: { pf: 'ens2f0np0', index: 0 }, sriov: null });
  });

  it('reads PCI vendor and device ids from sysfs, falling back to uevent PCI_ID', () => {
    expect(facts.nics.map((n) => [n.name, n.vendorId, n.deviceId])).toEqual([
      ['eno1', '14e4', '165f'],
      ['ens1f0', '8086', '1572'],
      ['ens1f1', '8086', '1572'],
      ['ens2f0np0', '15b3', '1017'],
      // the fixture has no vendor/device files for the VF netdev: its uevent says 15B3:1018
      ['ens2f0v0', '15b3', '1018'],
    ]);
  });

  it('reports capabilities', () => {
    expect(facts.capabilities).toEqual({
      virtExtension: 'vmx',
      secondLevelPaging: true,
      iommu: true,
      iommuOnCmdline: true,
      kvm: true,
      vhostNet: true,
      vfio: true,
      ovs: true,
      ovsDpdk: true,
      vhostVdpa: true,
      hugepageSizesKiB: [2048, 1048576],
    });
  });

  it('finds the vdpa management and vdpa devices, and marks the PF whose every VF is a management device', () => {
    expect(facts.vdpa).toEqual({
      mgmtdevs: ['pci/0000:af:00.2', 'pci/0000:af:00.3'],
      devices: [{ name: 'vdp5e1c0a42', mgmtdev: 'pci/0000:af:00.2' }],
    });
    expect(facts.nics.filter((n) => n.vdpaVfs).map((n) => n.name)).toEqual(['ens2f0np0']);
  });

  it.each([
    // what iproute2 6.1's vdpa answers on a kernel without the vdpa netlink family (CONFIG_VDPA off), recorded on this project's CI machine
    ['no vdpa netlink', { stdout: '', stderr: 'Failed to connect to vdpa Netlink\n', exitCode: 1 }],
    ['vdpa not installed', { stdout: '', stderr: 'bash: line 1: vdpa: command not found\n', exitCode: 127 }],
  ])('%s: no management devices, no vdpa VFs', (_what, answer) => {
    const { out: o } = run((argv) => (argv[0] === 'vdpa' ? answer : fixtureHost(argv)));
    const f = assembleFacts(o);
    expect(f.vdpa).toEqual({ mgmtdevs: [], devices: [] });
    expect(f.nics.some((n) => n.vdpaVfs)).toBe(false);
  });

  it('a PF only some of whose VFs are management devices is no vdpa PF', () => {
    const one = ok(vdpaMgmtdevs.replace(/,"pci\/0000:af:00\.3":\{[^}]*\}/, ''));
    const { out: o } = run((argv) => (argv.join(' ') === 'vdpa -j mgmtdev show' ? one : fixtureHost(argv)));
    const f = assembleFacts(o);
    expect(f.vdpa.mgmtdevs).toEqual(['pci/0000:af:00.2']);
    expect(f.nics.some((n) => n.vdpaVfs)).toBe(false);
  });

  it("lists domains without netpin's mark with the CPUs and PCI devices they hold", () => {
    expect(facts.foreignDomains).toEqual([
      { name: 'legacy-db', cpus: [4, 5, 6, 20, 21, 23, 24, 25], pciDevices: ['0000:3b:02.1', '0000:af:00.3'] },
    ]);
  });

  it('has no foreign domains when virsh is absent or libvirtd does not answer, and skips a domain gone since the list', () => {
    for (const answer of [
      { stdout: '', exitCode: 127 },
      { stdout: '', stderr: 'error: failed to connect to the hypervisor', exitCode: 1 },
    ]) {
      const { out: o } = run((argv) => (argv[0] === 'virsh' ? answer : fixtureHost(argv)));
      expect(assembleFacts(o).foreignDomains).toEqual([]);
    }
    const { out: gone } = run((argv) =>
      argv.join(' ') === 'virsh dumpxml legacy-db'
        ? { stdout: '', stderr: "error: failed to get domain 'legacy-db'", exitCode: 1 }
        : fixtureHost(argv),
    );
    expect(assembleFacts(gone).foreignDomains).toEqual([]);
  });

  it('reports Linux bridges from ip -d link (kind bridge) and OVS bridges from ovs-vsctl list-br, with their datapath type', () => {
    expect(facts.bridges).toEqual([
      { name: 'br0', kind: 'LINUX', datapathType: null },
      { name: 'br-int', kind: 'OVS', datapathType: 'netdev' },
      { name: 'br-ex', kind: 'OVS', datapathType: 'system' },
    ]);
  });

  it("reads OVS-DPDK's PMD CPUs from pmd-cpu-mask", () => {
    expect(facts.pmdCpus).toEqual([1, 2, 20]);
  });

  it("without pmd-cpu-mask, OVS's default: one PMD on the lowest CPU of each NUMA node", () => {
    const { out: o } = run((argv) => (argv.includes('other_config:pmd-cpu-mask') ? ok('\n') : fixtureHost(argv)));
    const f = assembleFacts(o);
    const firsts = [0, 1].map((n) => Math.min(...f.cpus.filter((c) => c.node === n).map((c) => c.cpu)));
    expect(f.pmdCpus).toEqual(firsts);
  });

  it.each([
    ['false', ok('false\n')],
    [
      'an OVS without the column',
      { stdout: '', stderr: 'ovs-vsctl: Open_vSwitch does not contain a column whose name matches "dpdk_initialized"\n', exitCode: 1 },
    ],
  ])('dpdk_initialized %s: no OVS-DPDK and no PMD CPUs', (_what, answer) => {
    const { out: o } = run((argv) => (argv.includes('dpdk_initialized') ? answer : fixtureHost(argv)));
    const f = assembleFacts(o);
    expect(f.capabilities.ovsDpdk).toBe(false);
    expect(f.pmdCpus).toEqual([]);
  });

  it.each([
    ['absent', { stdout: '', stderr: 'bash: line 1: ovs-vsctl: command not found\n', exitCode: 127 }],
    [
      'not running',
      {
        stdout: '',
        stderr: 'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory)\n',
        exitCode: 1,
      },
    ],
  ])('ovs-vsctl %s: OVS does not run and has no bridges; Linux bridges stay', (_what, answer) => {
    const { out: o } = run((argv) => (argv[0] === 'ovs-vsctl' ? answer : fixtureHost(argv)));
    const f = assembleFacts(o);
    expect(f.capabilities.ovs).toBe(false);
    expect(f.bridges).toEqual([{ name: 'br0', kind: 'LINUX', datapathType: null }]);
    expect(f.capabilities.ovsDpdk).toBe(false);
  });

  it('refuses an OVS bridge name that is no interface name', () => {
    const { out: o } = run((argv) => (argv[0] === 'ovs-vsctl' ? ok('br-int\nbad name;rm\n') : fixtureHost(argv)));
    expect(() => assembleFacts(o)).toThrow(HostOutputParseError);
  });

  it('degrades gracefully: no IOMMU, no OVS, ethtool unsupported, virtfn unreadable', () => {
    const { out: o2 } = run((argv) => {
      const key = argv.join(' ');
      if (key === 'ls -1 -- /sys/class/iommu') return { stdout: '', exitCode: 0 };
      if (argv[0] === 'ls' && argv[1] === '-1d') return { stdout: '/dev/kvm\n', exitCode: 2 };
      if (argv[0] === 'ovs-vsctl') return { stdout: '', exitCode: 127 };
      if (argv[0] === 'ethtool') return { stdout: '', exitCode: 76 };
      if (argv[0] === 'readlink') return { stdout: '../0000:3b:02.0\n', exitCode: 1 };
      return fixtureHost(argv);
    });
    const f = assembleFacts(o2);
    expect(f.capabilities).toMatchObject({ iommu: false, kvm: true, vhostNet: false, ovs: false });
    expect(f.nics.every((n) => n.channels === null)).toBe(true);
    expect(f.nics[1].sriov?.vfs.every((v) => v.pciAddress === null)).toBe(true);
  });

  it('fails with a typed error when a required step failed', () => {
    const broken = { ...out, lscpu: { stdout: '', stderr: 'lscpu: command not found', exitCode: 127 } };
    expect(() => assembleFacts(broken)).toThrow(HostOutputParseError);
    expect(() => assembleFacts({})).toThrow(/no output for step "lscpu"/);
  });
});

describe('what makes a link a NIC', () => {
  // ens1f1 presented with a link kind (as the real test tier's veth-backed NICs are): its
  // PCI device folder decides, not the kind.
  const asVeth = links.replace(/(\n5: ens1f1:[^\n]*\n[^\n]*\n)/, '$1    veth addrgenmode eui64 numtxqueues 4 numrxqueues 4\n');

  it('is its PCI device folder, whatever its link kind', () => {
    expect(asVeth).not.toEqual(links);
    const { out } = run((argv) => (argv.join(' ') === 'ip -d link show' ? ok(asVeth) : fixtureHost(argv)));
    const nic = assembleFacts(out).nics.find((n) => n.name === 'ens1f1');
    expect(nic).toMatchObject({ pciAddress: '0000:3b:00.1', driver: 'i40e' });
  });

  it('is not a bridge, tap or macvtap (no device folder)', () => {
    const names = assembleFacts(run(fixtureHost).out).nics.map((n) => n.name);
    for (const virtual of ['br0', 'ovs-system', 'vnet0', 'macvtap0']) expect(names).not.toContain(virtual);
  });
});
