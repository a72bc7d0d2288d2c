import { type IfName, hostFactsSchema } from '@netpin/contracts';
import {
  type CommandOutput,
  type HostCommand,
  assembleFacts,
  ipLinkSetVf,
  nextDiscoverySteps,
  parseIpLinkShow,
  parseVirshDomstate,
  parseVirshList,
  setIrqAffinity,
  setRpsCpus,
  setSriovNumVfs,
  shellQuote,
  virshDefine,
  virshDomstate,
  virshListAll,
  virshStart,
  ipLinkShow,
} from '@netpin/host-ops';
import { describe, expect, it } from 'vitest';
import { irqNamesFor } from './model';
import { PROFILE_NAMES, profileSpec } from './profiles';
import { type Fixture, hostFixture } from './test-fixture';

/**
 * Fidelity against the real command layer: host-ops builds the commands and parses the
 * answers exactly as the agent will, so a format hostsim gets wrong fails here.
 */
async function runCmd(f: Fixture, cmd: HostCommand): Promise<CommandOutput> {
  const r = await f.conn.run(shellQuote(cmd.argv), cmd.stdin);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code ?? -1 };
}

async function discover(f: Fixture) {
  const out: Record<string, CommandOutput> = {};
  for (let steps = nextDiscoverySteps(out); steps.length > 0; steps = nextDiscoverySteps(out)) {
    for (const s of steps) out[s.key] = await runCmd(f, s.command);
  }
  return hostFactsSchema.parse(assembleFacts(out));
}

describe.each(PROFILE_NAMES.map((p) => [p]))('host-ops discovery of %s', (profile) => {
  it('finds what the spec describes', async () => {
    const spec = profileSpec(profile, 'hv-test', 1);
    const f = await hostFixture(profile);
    try {
      const facts = await discover(f);
      expect(facts.cpus).toHaveLength(spec.cpu.sockets * spec.cpu.coresPerSocket * spec.cpu.threadsPerCore);
      expect(facts.numaNodes).toHaveLength(spec.numaNodes.length);
      expect(facts.capabilities).toMatchObject({
        iommu: spec.iommu,
        iommuOnCmdline: spec.iommu,
        vhostNet: spec.vhostNet,
        kvm: spec.kvm,
        ovs: spec.ovs,
        ovsDpdk: spec.ovsDpdk !== null,
        vfio: spec.iommu,
      });
      // the OVS bridges with their datapath type, and the PMD CPUs of the mask (nfv-dpdk: CPUs 2 and 18)
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(facts.bridges.filter((b) => b.kind === 'OVS').sort(byName)).toEqual(
        spec.bridges
          .filter((b) => b.kind === 'ovs')
          .map((b) => ({ name: b.name, kind: 'OVS', datapathType: b.datapathType }))
          .sort(byName),
      );
      expect(facts.pmdCpus).toEqual(profile === 'nfv-dpdk' ? [2, 18] : []);
      expect(facts.nics.map((n) => n.name).sort()).toEqual(spec.nics.map((n) => n.name).sort());
      for (const nic of spec.nics) {
        const got = facts.nics.find((n) => n.name === nic.name);
        expect(got).toMatchObject({
          pciAddress: nic.pciAddress,
          driver: nic.driver,
          numaNode: nic.numaNode < 0 ? null : nic.numaNode,
          speedMbps: nic.speedMbps,
        });
        expect(got?.sriov?.totalVfs ?? 0).toBe(nic.sriovTotalVfs);
        // sysfs device/vendor and device/device, per the profile's PCI id
        expect([got?.vendorId, got?.deviceId]).toEqual(nic.pciId.split(':'));
        // Queue vectors carry a queue number; e1000e's link vector does not.
        expect(got?.irqs.map((i) => i.name)).toEqual(irqNamesFor(nic).filter((n) => n !== nic.name));
      }
    } finally {
      await f.close();
    }
  });
});

describe('host-ops writes against dual-socket-sriov', () => {
  it('configures VFs, IRQs and RPS, and reads them back through discovery', async () => {
    const f = await hostFixture('dual-socket-sriov');
    const pf = 'ens1f0' as IfName;
    try {
      expect((await runCmd(f, setSriovNumVfs(pf, 8))).exitCode).toBe(0);
      const busy = await runCmd(f, setSriovNumVfs(pf, 4));
      expect(busy.exitCode).toBe(1);
      expect(busy.stderr).toContain('Device or resource busy');
      const set = ipLinkSetVf(pf, 5, {
        mac: '52:54:00:01:02:03' as never,
        vlan: 300 as never,
        spoofChk: false,
        trust: true,
        maxTxRateMbps: 2000,
      });
      expect((await runCmd(f, set)).exitCode).toBe(0);
      expect((await runCmd(f, setIrqAffinity(100, [4, 5, 6]))).exitCode).toBe(0);
      expect((await runCmd(f, setRpsCpus(pf, 1, [8, 40], 64))).exitCode).toBe(0);

      const [link] = parseIpLinkShow((await runCmd(f, ipLinkShow(pf))).stdout);
      expect(link.vfs[5]).toMatchObject({ mac: '52:54:00:01:02:03', vlan: 300, spoofChk: false, trust: true, maxTxRateMbps: 2000 });

      const facts = await discover(f);
      const nic = facts.nics.find((n) => n.name === pf);
      expect(nic?.sriov?.numVfs).toBe(8);
      expect(nic?.sriov?.vfs[5].pciAddress).toBe('0000:3b:11.2');
      expect(nic?.irqs.find((i) => i.irq === 100)?.affinity).toEqual([4, 5, 6]);
      expect(nic?.rps.find((r) => r.queue === 1)?.cpus).toEqual([8, 40]);
    } finally {
      await f.close();
    }
  });

  it('tags a VF 802.1ad where the PF driver takes it (ice on epyc-256), refuses it on ixgbe, and reads the protocol back', async () => {
    const f = await hostFixture('epyc-256');
    const ice = 'ens2f0' as IfName;
    try {
      expect((await runCmd(f, setSriovNumVfs(ice, 4))).exitCode).toBe(0);
      const qinq = ipLinkSetVf(ice, 1, { vlan: 100 as never, vlanProtocol: 'DOT1AD' });
      expect(qinq.argv.slice(-4)).toEqual(['vlan', '100', 'proto', '802.1ad']);
      expect((await runCmd(f, qinq)).exitCode).toBe(0);
      const show = (await runCmd(f, ipLinkShow(ice))).stdout;
      // iproute2 print_vfinfo: ", vlan %d" then ", vlan protocol %s" when the protocol is not 802.1Q
      expect(show).toContain(
        '    vf 1     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, vlan 100, vlan protocol 802.1ad, spoof checking on',
      );
      const [link] = parseIpLinkShow(show);
      expect(link.vfs[1]).toMatchObject({ vlan: 100, vlanProtocol: 'DOT1AD' });
      expect(link.vfs[0]).toMatchObject({ vlan: 0, vlanProtocol: 'DOT1Q' });
      // a later `vlan` without proto is 802.1Q again (iproute2 always sends a protocol with the VLAN)
      expect((await runCmd(f, ipLinkSetVf(ice, 1, { vlan: 0 as never }))).exitCode).toBe(0);
      expect(parseIpLinkShow((await runCmd(f, ipLinkShow(ice))).stdout)[0].vfs[1]).toMatchObject({ vlan: 0, vlanProtocol: 'DOT1Q' });
      expect(() => ipLinkSetVf(ice, 1, { vlanProtocol: 'DOT1AD' })).toThrow(/vlanProtocol/);
    } finally {
      await f.close();
    }
    const g = await hostFixture('dual-socket-sriov');
    try {
      expect((await runCmd(g, setSriovNumVfs('ens1f0' as IfName, 2))).exitCode).toBe(0);
      const refused = await runCmd(g, ipLinkSetVf('ens1f0' as IfName, 0, { vlan: 100 as never, vlanProtocol: 'DOT1AD' }));
      expect({ code: refused.exitCode, stderr: refused.stderr }).toEqual({
        code: 2,
        stderr: 'RTNETLINK answers: Protocol not supported\n',
      });
    } finally {
      await g.close();
    }
  });

  it('defines and starts a domain with the virsh builders and parsers', async () => {
    const f = await hostFixture('small-one-node');
    try {
      const xml =
        "<domain type='kvm'><name>web1</name><memory unit='MiB'>1024</memory><vcpu>2</vcpu><os><type>hvm</type></os><devices><interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface></devices></domain>";
      expect((await runCmd(f, virshDefine(xml))).exitCode).toBe(0);
      expect((await runCmd(f, virshStart('web1' as never))).exitCode).toBe(0);
      expect(parseVirshDomstate((await runCmd(f, virshDomstate('web1' as never))).stdout)).toBe('running');
      expect(parseVirshList((await runCmd(f, virshListAll())).stdout)).toEqual([{ id: 1, name: 'web1', state: 'running' }]);
    } finally {
      await f.close();
    }
  });
});
