import type { OperationRecord, SriovPolicyRepository, SriovReconcileInput } from '@netpin/db';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiConfig } from '../config';
import type { OutboxRelay } from '../jobs/outbox.relay';
import type { OperationEvents } from '../operations/operation.events';
import { SriovReconciler } from './sriov.reconciler';

const EMPTY: SriovReconcileInput = { policies: [], hosts: [], targets: [], operations: new Map(), busyHosts: new Map() };

function setup(intervalMs: number, redisAnswer: 'OK' | null = 'OK') {
  const passes: { release: () => void }[] = [];
  const repo = {
    reconcile: vi.fn(async (decide: (i: SriovReconcileInput) => unknown) => {
      decide(EMPTY);
      await new Promise<void>((release) => passes.push({ release }));
      return [] as OperationRecord[];
    }),
    markVfsClean: vi.fn(async () => 1),
  };
  const redis = { set: vi.fn(async () => redisAnswer) };
  const relay = { kick: vi.fn() };
  const events = { broadcast: vi.fn() };
  const r = new SriovReconciler(
    { NETPIN_SRIOV_RECONCILE_INTERVAL_MS: intervalMs, NETPIN_QUEUE_PREFIX: 'np' } as ApiConfig,
    { background: true },
    redis as unknown as Redis,
    repo as unknown as SriovPolicyRepository,
    relay as unknown as OutboxRelay,
    events as unknown as OperationEvents,
  );
  return { r, repo, redis, passes };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

afterEach(() => {
  vi.useRealTimers();
});

describe('SriovReconciler', () => {
  it('folds event triggers that arrive while a pass runs into one more pass', async () => {
    vi.useFakeTimers();
    const { r, repo, passes } = setup(0);
    r.request('discovery');
    await flush();
    expect(repo.reconcile).toHaveBeenCalledTimes(1);
    r.request('a');
    r.request('b');
    r.request('c');
    passes[0].release();
    await flush();
    expect(repo.reconcile).toHaveBeenCalledTimes(2);
    passes[1].release();
    await flush();
    expect(repo.reconcile).toHaveBeenCalledTimes(2);
  });

  it('a host result asks for a pass over that host; folded requests cover the union, or every host when one asks for all', async () => {
    vi.useFakeTimers();
    const { r, repo, passes } = setup(0);
    const scopes = () => repo.reconcile.mock.calls.map((c) => (c as unknown[])[1]);
    r.request('host.discover', ['h1']);
    await flush();
    r.request('host.discover', ['h2']);
    r.request('host.configureSriov', ['h3']);
    passes[0].release();
    await flush();
    r.request('host.discover', ['h4']);
    r.request('vf-release');
    r.request('host.discover', ['h5']);
    passes[1].release();
    await flush();
    passes[2].release();
    await flush();
    expect(scopes()).toEqual([['h1'], ['h2', 'h3'], undefined]);
  });

  it('runs a periodic pass when this process wins the interval, and none when the interval is 0', async () => {
    vi.useFakeTimers();
    const on = setup(1000);
    on.r.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(1000);
    expect(on.redis.set).toHaveBeenCalledWith('np:sriov-reconcile', expect.any(String), 'PX', 1000, 'NX');
    expect(on.repo.reconcile).toHaveBeenCalledTimes(1);
    on.passes[0].release();
    await on.r.onModuleDestroy();

    const lost = setup(1000, null);
    lost.r.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(3000);
    expect(lost.redis.set).toHaveBeenCalledTimes(3);
    expect(lost.repo.reconcile).not.toHaveBeenCalled();
    await lost.r.onModuleDestroy();

    const off = setup(0);
    off.r.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(off.redis.set).not.toHaveBeenCalled();
  });

  it('records released VFs as clean before the pass it asks for', async () => {
    vi.useFakeTimers();
    const { r, repo } = setup(0);
    r.vfsReleased([{ nicId: 'n1', index: 3 }]);
    await flush();
    expect(repo.markVfsClean).toHaveBeenCalledWith([{ nicId: 'n1', index: 3 }]);
    expect(repo.reconcile).toHaveBeenCalledTimes(1);
    r.vfsReleased([]);
    await flush();
    expect(repo.markVfsClean).toHaveBeenCalledTimes(1);
  });
});
