import type { HostFacts } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { reservedCpus } from './repositories/discovery.repository';

function facts(cpus: { cpu: number; core: number; socket: number; node: number }[]): HostFacts {
  return {
    cpus: cpus.map((c) => ({ ...c, siblings: [] })),
    numaNodes: [],
    nics: [],
    bridges: [],
    foreignDomains: [],
    pmdCpus: [],
    vdpa: { mgmtdevs: [], devices: [] },
    capabilities: {} as HostFacts['capabilities'],
  };
}

describe('host-reserved CPUs', () => {
  it('keeps the first core of every node, with all its threads (Intel numbering: cpu0 and cpu32 are siblings)', () => {
    const cpus = [];
    for (let cpu = 0; cpu < 64; cpu++) {
      const core = cpu % 32;
      cpus.push({ cpu, core, socket: core < 16 ? 0 : 1, node: core < 16 ? 0 : 1 });
    }
    expect([...reservedCpus(facts(cpus), 1)].sort((a, b) => a - b)).toEqual([0, 16, 32, 48]);
  });
  it('never reserves the only core of a node, and 0 turns it off', () => {
    const one = facts([{ cpu: 0, core: 0, socket: 0, node: 0 }]);
    expect(reservedCpus(one, 1).size).toBe(0);
    const two = facts([
      { cpu: 0, core: 0, socket: 0, node: 0 },
      { cpu: 1, core: 1, socket: 0, node: 0 },
    ]);
    expect([...reservedCpus(two, 1)]).toEqual([0]);
    expect(reservedCpus(two, 0).size).toBe(0);
  });
});
