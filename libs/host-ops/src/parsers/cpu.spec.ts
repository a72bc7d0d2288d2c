import { describe, expect, it } from 'vitest';
import lscpu2s from '../__fixtures__/lscpu-2s-ht.txt?raw';
import lscpuNoNuma from '../__fixtures__/lscpu-nonuma.txt?raw';
import topology from '../__fixtures__/cpu-topology.txt?raw';
import meminfo from '../__fixtures__/node0-meminfo.txt?raw';
import { HostOutputParseError } from '../errors';
import { parseCpuFlags, parseLscpu, parseNodeMeminfo, parseSysfsCpuTopology, siblingsFromLscpu } from './cpu';
import { parseGrepFiles } from './files';

describe('parseLscpu', () => {
  it('reads a two-socket hyperthreaded host', () => {
    const rows = parseLscpu(lscpu2s);
    expect(rows).toHaveLength(40);
    expect(rows[0]).toEqual({ cpu: 0, core: 0, socket: 0, node: 0 });
    expect(rows[13]).toEqual({ cpu: 13, core: 13, socket: 1, node: 1 });
    expect(rows[23]).toEqual({ cpu: 23, core: 3, socket: 0, node: 0 });
    const sib = siblingsFromLscpu(rows);
    expect(sib.get(3)).toEqual([3, 23]);
    expect(sib.get(35)).toEqual([15, 35]);
  });

  it('treats an empty Node column as node 0', () => {
    expect(parseLscpu(lscpuNoNuma).map((r) => r.node)).toEqual([0, 0, 0, 0]);
  });

  it('honours the column order of the header', () => {
    expect(parseLscpu('# Node,CPU,Socket,Core\n1,7,1,3\n')).toEqual([{ cpu: 7, core: 3, socket: 1, node: 1 }]);
  });

  it('rejects a malformed row with its line', () => {
    const bad = lscpu2s.replace('5,5,0,0\n', '5,5,zero,0\n');
    expect(() => parseLscpu(bad)).toThrow(HostOutputParseError);
    try {
      parseLscpu(bad);
    } catch (e) {
      expect((e as HostOutputParseError).line).toBe('5,5,zero,0');
      expect((e as HostOutputParseError).lineNumber).toBe(10);
    }
    expect(() => parseLscpu('0,0,0\n')).toThrow(/expected 4 fields/);
  });
});

describe('parseSysfsCpuTopology', () => {
  it('reads core_id, physical_package_id and thread_siblings_list', () => {
    const paths = [0, 1, 2, 3].flatMap((c) =>
      ['core_id', 'physical_package_id', 'thread_siblings_list'].map((f) => `/sys/devices/system/cpu/cpu${c}/topology/${f}`),
    );
    const topo = parseSysfsCpuTopology(parseGrepFiles(topology, paths));
    expect(topo).toEqual([
      { cpu: 0, core: 0, socket: 0, siblings: [0, 2] },
      { cpu: 1, core: 0, socket: 1, siblings: [1, 3] },
      { cpu: 2, core: 0, socket: 0, siblings: [0, 2] },
      { cpu: 3, core: 0, socket: 1, siblings: [1, 3] },
    ]);
  });
});

describe('parseNodeMeminfo', () => {
  it('reads totals and default huge pages', () => {
    expect(parseNodeMeminfo(meminfo)).toEqual({ memTotalKiB: 196314056, memFreeKiB: 150112844, hugePagesTotal: 16, hugePagesFree: 12 });
  });
  it('rejects foreign lines', () => {
    expect(() => parseNodeMeminfo('MemTotal: 12 kB\n')).toThrow(HostOutputParseError);
  });
});

describe('parseCpuFlags', () => {
  it('finds vmx and ept (flags and "vmx flags" lines)', () => {
    const text =
      'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr vmx smx est tm2 ssse3 tpr_shadow flexpriority ept vpid ept_ad fsgsbase\nvmx flags\t: vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest\n';
    expect(parseCpuFlags(text)).toEqual({ virtExtension: 'vmx', secondLevelPaging: true });
  });
  it('finds svm and npt', () => {
    expect(parseCpuFlags('flags\t\t: fpu vme svm extapic cr8_legacy npt lbrv svm_lock nrip_save\n')).toEqual({
      virtExtension: 'svm',
      secondLevelPaging: true,
    });
  });
  it('reports a guest without nested virtualisation', () => {
    expect(parseCpuFlags('flags\t\t: fpu vme hypervisor lahf_lm\n')).toEqual({ virtExtension: null, secondLevelPaging: false });
  });
  it('throws without a flags line', () => {
    expect(() => parseCpuFlags('processor\t: 0\n')).toThrow(HostOutputParseError);
  });
});
