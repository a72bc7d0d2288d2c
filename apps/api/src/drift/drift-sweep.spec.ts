import { describe, expect, it } from 'vitest';
import type { Page } from '@netpin/db';
import { DriftService } from './drift.service';
import { sweepHosts } from './drift-sweep';

const fleet = Array.from({ length: 1234 }, (_, i) => ({
  id: `h-${String(i).padStart(5, '0')}`,
  name: `host-${String(i).padStart(5, '0')}`,
}));

function listPage(after: string | null, first: number): Promise<Page<{ id: string; name: string }>> {
  const from = after ? fleet.findIndex((h) => h.name === after) + 1 : 0;
  const items = fleet.slice(from, from + first);
  return Promise.resolve({ items, hasNextPage: from + first < fleet.length, endCursor: items.at(-1)?.name ?? null, totalCount: null });
}

describe('the drift sweep', () => {
  it('checks every READY host of a fleet larger than one page, once each (DriftService tick)', async () => {
    const seen: string[] = [];
    const fakes = {
      config: { NETPIN_QUEUE_PREFIX: 't', NETPIN_DRIFT_INTERVAL_MS: 60_000 },
      runtime: { background: false },
      redis: { set: () => Promise.resolve('OK') },
      hosts: {
        list: (_f: unknown, p: { first: number; after?: string }) => listPage(p.after ?? null, p.first),
        get: ({ id }: { id: string }) => Promise.resolve({ id }),
      },
      drift: {
        runningVms: (id: string) => {
          seen.push(id);
          return Promise.resolve([]);
        },
      },
      relay: { kick: () => undefined },
    };
    const svc = new DriftService(
      fakes.config as never,
      fakes.runtime as never,
      fakes.redis as never,
      fakes.hosts as never,
      fakes.drift as never,
      {} as never,
      {} as never,
      fakes.relay as never,
      {} as never,
      {} as never,
    );
    await (svc as unknown as { tick(every: number): Promise<void> }).tick(50);
    expect(seen.length).toBe(fleet.length);
    expect(new Set(seen).size).toBe(fleet.length);
  });

  it('spreads the checks over the interval and goes on past a host whose check fails', async () => {
    const slept: number[] = [];
    const checked: string[] = [];
    const errors: string[] = [];
    const r = await sweepHosts(
      {
        listPage,
        check: (id) => (id === 'h-00007' ? Promise.reject(new Error('db gone')) : Promise.resolve(checked.push(id))),
        onError: (id) => errors.push(id),
        stopped: () => false,
        sleep: (ms) => Promise.resolve(void slept.push(ms)),
      },
      48_000,
    );
    expect(r).toEqual({ checked: 1233, hosts: 1234 });
    expect(errors).toEqual(['h-00007']);
    // 1,233 gaps of 38 ms: the last check starts within the 48 s, none all at once
    expect(slept.length).toBe(1233);
    expect(new Set(slept)).toEqual(new Set([38]));
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(48_000);
  });
});
