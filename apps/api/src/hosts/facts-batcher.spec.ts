import { describe, expect, it } from 'vitest';
import type { DiscoveredHost } from '@netpin/db';
import type { HostFacts } from '@netpin/contracts';
import { FactsBatcher } from './facts-batcher';

const item = (hostId: string): DiscoveredHost => ({ hostId, facts: {} as HostFacts });

/** A writer that records its batches and fails any batch holding a host named in `bad`. */
function writer(bad: string[] = [], missing: string[] = []) {
  const batches: string[][] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const write = async (items: DiscoveredHost[]) => {
    batches.push(items.map((i) => i.hostId));
    if (batches.length === 1) await gate; // the first batch is slow: the rest arrive meanwhile
    if (items.some((i) => bad.includes(i.hostId))) throw new Error(`cannot write ${items.map((i) => i.hostId).join(',')}`);
    return new Set(items.map((i) => i.hostId).filter((h) => !missing.includes(h)));
  };
  return { batches, write, release };
}

describe('FactsBatcher', () => {
  it('gathers the results arriving while a batch is written into the next batch', async () => {
    const w = writer();
    const b = new FactsBatcher(w.write, (h) => new Error(`no ${h}`));
    const first = b.apply(item('a'));
    await new Promise((r) => setImmediate(r));
    const rest = ['b', 'c', 'd'].map((h) => b.apply(item(h)));
    w.release();
    await Promise.all([first, ...rest]);
    expect(w.batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('never puts one host twice in a batch, and keeps the order of arrival', async () => {
    const w = writer();
    const b = new FactsBatcher(w.write, (h) => new Error(`no ${h}`), 3);
    w.release();
    await Promise.all(['a', 'b', 'a', 'c', 'd', 'a'].map((h) => b.apply(item(h))));
    expect(w.batches).toEqual([['a', 'b', 'c'], ['a', 'd'], ['a']]);
  });

  it('a failing host rejects alone: the others of its batch are written one by one', async () => {
    const w = writer(['c'], ['d']);
    const b = new FactsBatcher(w.write, (h) => new Error(`no ${h}`));
    w.release();
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((h) => b.apply(item(h))));
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : String(r.reason)))).toEqual([
      'ok',
      'ok',
      'Error: cannot write c',
      'Error: no d',
    ]);
    expect(w.batches).toEqual([['a', 'b', 'c', 'd'], ['a'], ['b'], ['c'], ['d']]);
  });
});
