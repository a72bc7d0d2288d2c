import { describe, expect, it } from 'vitest';
import migrateJson from '../__fixtures__/real/virsh-migrate.json?raw';
import { HostOutputParseError } from '../errors';
import { domJobFraction, parseDomjobinfo } from './domjobinfo';

const real = JSON.parse(migrateJson) as Record<string, { stdout: string }>;

describe('parseDomjobinfo', () => {
  it('no job (real libvirt 9.0 answer)', () => {
    const j = parseDomjobinfo(real['domjobinfo-none'].stdout);
    expect(j).toEqual({ type: 'None', operation: null, elapsedMs: null, data: null });
    expect(domJobFraction(j)).toBeNull();
  });

  it('a migration being set up (real answer): a job, no data yet, so no fraction', () => {
    const j = parseDomjobinfo(real['domjobinfo-migrating'].stdout);
    expect(j).toEqual({ type: 'Unbounded', operation: 'Outgoing migration', elapsedMs: 314, data: null });
    expect(domJobFraction(j)).toBeNull();
  });

  it('a migration copying: data processed/remaining/total in vshPrettyCapacity units', () => {
    const text =
      'Job type:         Unbounded   \nOperation:        Outgoing migration\nTime elapsed:     1203         ms\n' +
      'Data processed:   96.000 MiB\nData remaining:   160.000 MiB\nData total:       256.000 MiB\n' +
      'Memory bandwidth: 64.000 MiB/s\nDirty rate:       0            pages/s\n\n';
    const j = parseDomjobinfo(text);
    expect(j.data).toEqual({ processed: 96 * 2 ** 20, remaining: 160 * 2 ** 20, total: 256 * 2 ** 20 });
    expect(j.elapsedMs).toBe(1203);
    expect(domJobFraction(j)).toBeCloseTo(0.375, 5);
  });

  it('refuses what it cannot read', () => {
    expect(() => parseDomjobinfo('Operation:        Outgoing migration\n')).toThrow(HostOutputParseError);
    expect(() => parseDomjobinfo('Job type:   Unbounded\nData processed:   lots\nData remaining: 1 B\nData total: 1 B\n')).toThrow(
      HostOutputParseError,
    );
    expect(() => parseDomjobinfo('Job type:   Unbounded\n%%%\n')).toThrow(HostOutputParseError);
  });
});
