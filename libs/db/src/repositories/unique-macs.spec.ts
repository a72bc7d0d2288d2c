import { describe, expect, it } from 'vitest';
import { ConflictError } from '@netpin/contracts';
import { assignUniqueMacs } from './unique-macs';

const lookup = (live: string[]) => {
  const calls: string[][] = [];
  const fn = async (macs: string[]) => {
    calls.push(macs);
    return new Set(macs.filter((m) => live.includes(m)));
  };
  return { fn, calls };
};

describe('assignUniqueMacs', () => {
  it('keeps MACs nobody uses and asks the database once', async () => {
    const ifaces = [
      { index: 0, mac: '52:54:00:00:00:01' },
      { index: 1, mac: '52:54:00:00:00:02' },
    ];
    const l = lookup(['52:54:00:99:99:99']);
    await assignUniqueMacs(ifaces, () => 'unused', l.fn);
    expect(ifaces.map((i) => i.mac)).toEqual(['52:54:00:00:00:01', '52:54:00:00:00:02']);
    expect(l.calls).toHaveLength(1);
  });

  it('draws a generated MAC again when a live VM holds it, skipping draws that are taken too', async () => {
    const ifaces = [{ index: 0, mac: '52:54:00:00:00:01' }];
    const l = lookup(['52:54:00:00:00:01', '52:54:00:00:00:a1']);
    await assignUniqueMacs(ifaces, (i, n) => `52:54:00:00:00:${(0xa0 + n).toString(16)}`, l.fn);
    expect(ifaces[0].mac).toBe('52:54:00:00:00:a2');
  });

  it('draws again when two interfaces of one VM collide', async () => {
    const ifaces = [
      { index: 0, mac: '52:54:00:00:00:07' },
      { index: 1, mac: '52:54:00:00:00:07' },
    ];
    await assignUniqueMacs(ifaces, (i, n) => `52:54:00:00:0${i}:0${n}`, lookup([]).fn);
    expect(ifaces.map((i) => i.mac)).toEqual(['52:54:00:00:00:07', '52:54:00:00:01:01']);
  });

  it('answers CONFLICT naming the field for a requested MAC that is in use', async () => {
    const ifaces = [
      { index: 0, mac: '52:54:00:00:00:01' },
      { index: 1, mac: '52:54:00:00:00:02' },
    ];
    const err = await assignUniqueMacs(ifaces, (i) => (i === 1 ? null : 'x'), lookup(['52:54:00:00:00:02']).fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).details.field).toBe('interfaces.1.mac');
  });

  it('gives up after a bounded number of draws', async () => {
    const ifaces = [{ index: 0, mac: '52:54:00:00:00:01' }];
    const err = await assignUniqueMacs(ifaces, () => '52:54:00:00:00:01', lookup(['52:54:00:00:00:01']).fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
  });
});
