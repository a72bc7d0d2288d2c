import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseCli } from './cli';
import { HostModel, irqNamesFor } from './model';
import { profileSpec } from './profiles';
import { HostSpecError, loadHostSpecFile, parseHostSpec } from './spec';

const small = (): Record<string, unknown> => JSON.parse(JSON.stringify(profileSpec('small-one-node', 'lab-1'))) as Record<string, unknown>;

describe('host spec', () => {
  it('loads YAML and JSON files through the same schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostsim-spec-'));
    try {
      writeFileSync(join(dir, 'h.yaml'), stringify(small()));
      writeFileSync(join(dir, 'h.json'), JSON.stringify(small()));
      expect(loadHostSpecFile(join(dir, 'h.yaml'))).toEqual(loadHostSpecFile(join(dir, 'h.json')));
      const cli = parseCli(['fleet', '--spec', join(dir, 'h.yaml'), '--hosts', '2']);
      expect(cli.kind === 'fleet' && cli.options.spec?.hostname).toBe('lab-1');
      writeFileSync(join(dir, 'bad.yaml'), 'hostname: x\n');
      expect(() => parseCli(['fleet', '--spec', join(dir, 'bad.yaml')])).toThrow(/bad\.yaml: invalid host spec/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects inconsistent hosts with the offending field', () => {
    const s = small();
    const nics = s.nics as Record<string, unknown>[];
    nics[0].numaNode = 3;
    expect(() => parseHostSpec(s)).toThrow(/enp1s0: NUMA node 3 does not exist/);
    const t = small();
    (t.bridges as Record<string, unknown>[])[0].kind = 'ovs';
    expect(() => parseHostSpec(t)).toThrow(HostSpecError);
    const u = small();
    (u.nics as Record<string, unknown>[])[0].mac = '01:00:5e:00:00:01';
    expect(() => parseHostSpec(u)).toThrow(/unicast/);
  });

  it('lays out CPUs socket by socket, then hyperthreads', () => {
    const m = new HostModel(profileSpec('dual-socket-sriov', 'x'));
    expect(m.nrCpus).toBe(64);
    expect(m.cpus.find((c) => c.id === 33)).toMatchObject({ socket: 0, core: 1, thread: 1, node: 0 });
    expect(m.cpus.find((c) => c.id === 16)).toMatchObject({ socket: 1, core: 0, thread: 0, node: 1 });
    // Sub-NUMA clustering: two nodes on one socket split its cores.
    const snc = parseHostSpec({ ...small(), numaNodes: [{ memoryMiB: 16384 }, { memoryMiB: 16384 }] });
    const m2 = new HostModel(snc);
    expect(m2.nodeCpus).toEqual([
      [0, 1, 4, 5],
      [2, 3, 6, 7],
    ]);
  });

  it('names IRQ vectors per driver family', () => {
    const [eno1, ens1f0, ens5f0] = profileSpec('dual-socket-sriov', 'x').nics;
    expect(irqNamesFor(eno1).slice(0, 2)).toEqual(['eno1-0', 'eno1-1']);
    expect(irqNamesFor(ens1f0)[3]).toBe('ens1f0-TxRx-3');
    expect(irqNamesFor(ens5f0)[0]).toBe('mlx5_comp0@pci:0000:af:00.0');
    expect(irqNamesFor(profileSpec('legacy-no-iommu', 'x').nics[0])).toEqual(['eth0-rx-0', 'eth0-tx-0', 'eth0']);
  });
});
