import { describe, expect, expectTypeOf, it } from 'vitest';
import { DATAPATHS, NETWORK_KINDS, type Datapath } from '../enums';
import { CORE_REASONS, REASON_CODES, REASON_DESCRIPTIONS, type ReasonCode } from '../placement';
import {
  AUTO_ORDER,
  DATAPATH_REASONS,
  DATAPATH_REGISTRY,
  DATAPATHS_BY_RANK,
  datapathDefinition,
  datapathForAlias,
  datapathsForKind,
  type DatapathReasonCode,
} from './registry';
import { SHARED_REASONS } from './shared';

describe('datapath registry', () => {
  it('holds each datapath under its own id', () => {
    for (const d of DATAPATHS) expect(DATAPATH_REGISTRY[d].id).toBe(d);
  });

  it('ranks are unique and DATAPATHS lists them fastest first', () => {
    const ranks = DATAPATHS.map((d) => DATAPATH_REGISTRY[d].rank);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(DATAPATHS_BY_RANK).toEqual(DATAPATHS);
  });

  it('AUTO tries the datapaths that opt in, fastest first', () => {
    expect(AUTO_ORDER).toEqual(DATAPATHS.filter((d) => DATAPATH_REGISTRY[d].auto));
    expect(AUTO_ORDER).not.toContain('RTL8139');
  });

  it('every network kind carries at least one AUTO datapath', () => {
    for (const k of NETWORK_KINDS)
      expect(
        datapathsForKind(k).some((d) => AUTO_ORDER.includes(d)),
        k,
      ).toBe(true);
  });

  it('a failover backup is virtio and can be connected wherever the datapath can', () => {
    for (const d of DATAPATHS) {
      const def = datapathDefinition(d);
      if (def.liveMigration.kind !== 'FAILOVER') continue;
      for (const b of def.liveMigration.backups) {
        const bx = datapathDefinition(b).xml;
        expect(bx.kind === 'emulated' && bx.model === 'virtio', `${d} backup ${b}`).toBe(true);
        for (const kind of Object.keys(def.connections)) expect(datapathDefinition(b).connections).toHaveProperty(kind);
      }
    }
  });

  it('CLI aliases are unique, lower-case, and resolve to their datapath (any case, _ or -)', () => {
    const seen = new Map<string, Datapath>();
    for (const d of DATAPATHS) {
      for (const a of DATAPATH_REGISTRY[d].cli.aliases) {
        expect(a).toMatch(/^[a-z0-9][a-z0-9-]*$/);
        expect(seen.get(a), a).toBeUndefined();
        seen.set(a, d);
        expect(datapathForAlias(a)).toBe(d);
        expect(datapathForAlias(a.toUpperCase().replace(/-/g, '_'))).toBe(d);
      }
      expect(datapathForAlias(d)).toBe(d);
    }
    expect(datapathForAlias('warp-drive')).toBeUndefined();
  });
});

describe('reason codes', () => {
  it('each code is declared once: core, shared, or by one datapath', () => {
    const owners = new Map<string, string>();
    const declare = (code: string, owner: string) => {
      expect(owners.get(code), `${code} declared by ${owners.get(code)} and ${owner}`).toBeUndefined();
      owners.set(code, owner);
    };
    Object.keys(CORE_REASONS).forEach((c) => declare(c, 'core'));
    Object.keys(SHARED_REASONS).forEach((c) => declare(c, 'shared'));
    for (const d of DATAPATHS) Object.keys(DATAPATH_REGISTRY[d].reasons).forEach((c) => declare(c, d));
    expect([...owners.keys()].sort()).toEqual([...REASON_CODES].sort());
    for (const c of REASON_CODES) expect(REASON_DESCRIPTIONS[c].length).toBeGreaterThan(10);
  });

  it("a datapath's needs name codes that exist", () => {
    for (const d of DATAPATHS) {
      const def = datapathDefinition(d);
      for (const n of def.host) expect(REASON_CODES).toContain(n.reason);
      if (def.memory.kind !== 'ANY') expect(REASON_CODES).toContain(def.memory.reason);
      if (def.ovsBridge !== null) expect(REASON_CODES).toContain(def.ovsBridge.reason);
      if (def.switchResource.kind === 'PMD')
        expect(REASON_CODES).toEqual(expect.arrayContaining([def.switchResource.noPmd, def.switchResource.exhausted]));
      if (def.liveMigration.kind === 'FAILOVER') expect(REASON_CODES).toContain(def.liveMigration.reason);
    }
  });

  it('declares VLAN trunks on Open vSwitch ports only, and 802.1ad on the VF only', () => {
    const trunks = DATAPATHS.flatMap((d) => Object.entries(datapathDefinition(d).vlanTrunk).map(([c, how]) => `${d}:${c}:${how}`));
    expect(trunks.sort()).toEqual([
      'E1000:OVS:LIBVIRT_VLAN',
      'RTL8139:OVS:LIBVIRT_VLAN',
      'VHOST_OVS:OVS:LIBVIRT_VLAN',
      'VHOST_USER:VHOSTUSER:OVS_PORT',
      'VIRTIO_USERSPACE:OVS:LIBVIRT_VLAN',
    ]);
    expect(DATAPATHS.filter((d) => datapathDefinition(d).vlanProtocols.includes('DOT1AD'))).toEqual(['SRIOV']);
    // the VF knob 802.1ad needs is declared with it, so placement asks the PF's driver
    expect(datapathDefinition('SRIOV').vfDriverNeeds.map((n) => n.knob)).toContain('vlanProto8021ad');
  });

  it('derives the datapath-owned codes from the modules', () => {
    expectTypeOf<'IOMMU_DISABLED'>().toExtend<DatapathReasonCode>();
    expectTypeOf<DatapathReasonCode>().toExtend<ReasonCode>();
    expect(Object.keys(DATAPATH_REASONS).sort()).toEqual([
      'BRIDGE_NOT_USERSPACE',
      'IOMMU_DISABLED',
      'LIVE_MIGRATION_NEEDS_VIRTIO',
      'NO_PMD_ON_NUMA_NODE',
      'NO_VDPA_VF_FOR_NETWORK',
      'OVS_DPDK_UNAVAILABLE',
      'PMD_CAPACITY_EXHAUSTED',
      'VDPA_NOT_LIVE_MIGRATABLE',
      'VF_DRIVER_LACKS_8021AD',
      'VHOST_USER_NEEDS_HUGEPAGES',
      'VHOST_VDPA_UNAVAILABLE',
    ]);
  });
});
