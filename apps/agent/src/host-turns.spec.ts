import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostTurns } from './host-turns';
import { Harness } from './testing/harness';
import { desiredFor } from './testing/vms';

describe('HostTurns', () => {
  it('gives one host its turns in arrival order, other hosts at once', async () => {
    const turns = new HostTurns(4);
    const order: string[] = [];
    const first = await turns.take('hv1');
    const second = turns.take('hv1').then((end) => (order.push('second'), end));
    const third = turns.take('hv1').then((end) => (order.push('third'), end));
    const other = await turns.take('hv2');
    expect(other).not.toBeNull();
    await new Promise((r) => setTimeout(r, 10));
    expect(order, 'nobody runs while the first holds the host').toEqual([]);
    expect(turns.queued('hv1')).toBe(3);
    first?.();
    (await second)?.();
    (await third)?.();
    expect(order).toEqual(['second', 'third']);
    expect(turns.queued('hv1')).toBe(0);
  });

  it('refuses a turn once maxWaiting jobs wait for the host, and ending twice counts once', async () => {
    const turns = new HostTurns(1);
    const first = await turns.take('hv1');
    const waiting = turns.take('hv1');
    expect(await turns.take('hv1')).toBeNull();
    first?.();
    first?.();
    const second = await waiting;
    expect(turns.queued('hv1')).toBe(1);
    const third = turns.take('hv1'); // one may wait again
    expect(await turns.take('hv1')).toBeNull();
    second?.();
    (await third)?.();
    expect(turns.queued('hv1')).toBe(0);
  });
});

describe('mutating jobs of one host in one agent', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start(['small-one-node']);
  });
  afterAll(() => h.stop());

  it('run one after another, handed over without going back to the delayed set', async () => {
    const agent = await h.agent({ concurrency: 8 });
    const host = h.fleet.hosts[0];
    const want = desiredFor(host);
    const results = await Promise.all([1, 2, 3].map(() => h.run('vm.apply', { host: h.target(host), ...want })));
    for (const r of results) expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    const spans = results
      .map((r) => [Date.parse(r.steps[0].startedAt ?? ''), Date.parse(r.steps.at(-1)?.finishedAt ?? '')])
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0], 'jobs of one host overlapped').toBeGreaterThanOrEqual(spans[i - 1][1]);
    const waits = await agent.metrics.registry.getSingleMetric('netpin_agent_host_lock_waits_total')?.get();
    expect(waits?.values.reduce((n, v) => n + v.value, 0)).toBe(0);
  });
});
