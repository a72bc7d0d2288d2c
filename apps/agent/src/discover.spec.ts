import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './testing/harness';

const PROFILES = ['dual-socket-sriov', 'small-one-node', 'legacy-no-iommu'];

describe('host.discover against a hostsim fleet over SSH', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start(PROFILES);
    await h.agent();
  });
  afterAll(() => h.stop());

  it('reports the facts of each host profile', async () => {
    const results = await Promise.all(h.fleet.hosts.map((host) => h.run('host.discover', { host: h.target(host) })));
    results.forEach((r, i) => {
      const spec = h.fleet.hosts[i].spec;
      expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
      if (r.kind !== 'host.discover' || !r.data) throw new Error('no facts');
      const f = r.data;
      expect(f.cpus).toHaveLength(spec.cpu.sockets * spec.cpu.coresPerSocket * spec.cpu.threadsPerCore);
      expect(f.numaNodes.map((n) => n.id)).toEqual(spec.numaNodes.map((_, n) => n));
      expect(f.nics.map((n) => n.name).sort()).toEqual(spec.nics.map((n) => n.name).sort());
      for (const nic of spec.nics) {
        const got = f.nics.find((n) => n.name === nic.name);
        expect(got?.pciAddress).toBe(nic.pciAddress);
        expect(got?.numaNode).toBe(nic.numaNode < 0 ? null : nic.numaNode);
        expect(got?.sriov?.totalVfs ?? 0).toBe(nic.sriovTotalVfs);
        expect(got?.irqs.length).toBeGreaterThan(0);
      }
      expect(f.capabilities.iommu).toBe(spec.iommu);
      expect(f.capabilities.vhostNet).toBe(spec.vhostNet);
      // Linux bridges from ip -d link (kind bridge), OVS bridges from ovs-vsctl list-br while OVS runs
      expect(f.capabilities.ovs).toBe(spec.ovs);
      const want = spec.bridges.map((b) =>
        b.kind === 'ovs'
          ? { name: b.name, kind: 'OVS', datapathType: b.datapathType }
          : { name: b.name, kind: 'LINUX', datapathType: null },
      );
      expect([...f.bridges].sort((a, b) => a.name.localeCompare(b.name))).toEqual(want.sort((a, b) => a.name.localeCompare(b.name)));
      expect(f.bridges.length).toBeGreaterThan(0);
      expect(r.steps.map((s) => s.name)).toEqual(['read host', 'assemble facts']);
    });
  });
});
