import { ifNameSchema, vlanIdSchema } from '@netpin/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import qemuRunning from './__fixtures__/dumpxml-qemu-running.xml?raw';
import { domainSpecArb } from './arbitraries';
import { diffDomain } from './diff';
import { GOLDEN_CASES } from './golden-cases';
import type { DomainSpec } from './model';
import { parseDomain } from './parse';
import { renderDomain } from './render';

describe('diffDomain', () => {
  it('finds nothing between a spec and its own define/dumpxml round trip', () => {
    fc.assert(
      fc.property(domainSpecArb, (s) => {
        expect(diffDomain(s, parseDomain(renderDomain(s)))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('ignores a libvirt-generated uuid but not a requested one', () => {
    const desired = GOLDEN_CASES['sriov'];
    expect(diffDomain(desired, { ...desired, uuid: '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a5b' })).toEqual([]);
    const pinned = { ...desired, uuid: '3f6d1c2a-8b4e-4f1a-9c7d-2e5b8a0f6c11' };
    expect(diffDomain(pinned, { ...desired, uuid: '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a5b' })).toEqual([
      { path: 'uuid', expected: '3f6d1c2a-8b4e-4f1a-9c7d-2e5b8a0f6c11', actual: '6a1f0c0e-5b0b-4a55-8f3e-0c1e2d3f4a5b' },
    ]);
  });

  it('reports drift an operator could cause on the host', () => {
    const actual = parseDomain(qemuRunning);
    const desired: DomainSpec = structuredClone(actual);
    desired.cputune = { vcpupins: [0, 1, 2, 3].map((v) => ({ vcpu: v, cpuset: [v + 12] })), emulatorpin: [1] };
    desired.interfaces[1] = { ...desired.interfaces[1], vlan: vlanIdSchema.parse(121) } as DomainSpec['interfaces'][number];
    desired.interfaces[0] = { ...desired.interfaces[0], sourceDev: ifNameSchema.parse('ens1f0') } as DomainSpec['interfaces'][number];
    delete desired.hugepageSizeKiB;
    expect(diffDomain(desired, actual)).toEqual([
      { path: 'cputune.vcpupins[0].cpuset', expected: [12], actual: [2] },
      { path: 'cputune.vcpupins[1].cpuset', expected: [13], actual: [3] },
      { path: 'cputune.vcpupins[2].cpuset', expected: [14], actual: [4] },
      { path: 'cputune.vcpupins[3].cpuset', expected: [15], actual: [5] },
      { path: 'hugepageSizeKiB', expected: undefined, actual: 2048 },
      { path: 'interfaces[0].sourceDev', expected: 'ens1f0', actual: 'ens1f1' },
      { path: 'interfaces[1].vlan', expected: 121, actual: 120 },
    ]);
  });

  it('reports missing and extra interfaces', () => {
    const a = GOLDEN_CASES['combo-ovs-and-legacy'];
    const d = diffDomain(a, { ...a, interfaces: a.interfaces.slice(0, 2) });
    expect(d).toEqual([{ path: 'interfaces[2]', expected: a.interfaces[2], actual: undefined }]);
    expect(diffDomain({ ...a, interfaces: [] }, a).map((x) => x.path)).toEqual(['interfaces[0]', 'interfaces[1]', 'interfaces[2]']);
  });
});
