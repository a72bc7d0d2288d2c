import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { domainNameSchema, ifNameSchema, vmFenceKey } from '@netpin/contracts';
import type { HostTransport } from './transport/transport';
import { Harness, type JobBody } from './testing/harness';

const VM_ID = '00000000-0000-4000-8000-00000000fe01';
const dom = (name: string) =>
  `<domain type='kvm'><name>${name}</name><metadata><netpin:vm xmlns:netpin="https://netpin.dev/xmlns/domain/1" id="${VM_ID}"/></metadata><memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices><interface type='bridge'><mac address='52:54:00:fe:00:01'/><source bridge='br0'/><model type='virtio'/></interface></devices></domain>`;

/**
 * Issue 13, "a deleted VM stays deleted; a lost lock stops the work": the agent checks, under
 * the host lock and before each mutating step, that the lock is still its own (fencing token)
 * and that the job's VM generation is not behind the VM's fence.
 */
describe('fenced mutating jobs', { timeout: 20_000 }, () => {
  const h = new Harness();
  /** Runs once when a command matching the pattern is about to run on the host. */
  let onCommand: { pattern: RegExp; run: () => Promise<void> } | null = null;

  beforeAll(async () => {
    await h.start(['small-one-node']);
    const wrap = (_host: unknown, t: HostTransport): HostTransport => ({
      exec: async (argv, opts) => {
        const hook = onCommand;
        if (hook && hook.pattern.test(argv.join(' '))) {
          onCommand = null;
          await hook.run();
        }
        return t.exec(argv, opts);
      },
      close: () => t.close(),
    });
    await h.agent({ lockTtlMs: 3000 }, { wrapTransport: wrap });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    onCommand = null;
  });

  const host = () => h.fleet.hosts[0];
  const lockKey = () => `${h.prefix}:netpin:hostlock:${host().hostname}`;
  const apply = (name: string, vmGeneration: number): JobBody<'vm.apply'> => ({
    host: h.target(host()),
    vmId: VM_ID,
    vmName: domainNameSchema.parse(name),
    vmGeneration,
    domainXml: dom(name),
    vfs: [],
    irqAffinity: [{ irq: 30, cpus: [2] }],
    rps: [{ dev: ifNameSchema.parse('enp1s0'), rxQueue: 0, cpus: [3] }],
    start: true,
  });
  const mutations = () =>
    host()
      .state()
      .commandLog.map((c) => c.command)
      .filter((c) => /^(tee|bash -c|virsh (define|start|destroy|undefine)|ip link set)/.test(c));

  it('a job whose host lock is taken over mid-job stops before its next step and reports LOCK_LOST', async () => {
    host().clearLog();
    // the lock expires (a long GC pause, a Redis failover) and another holder takes it while the IRQ write runs
    onCommand = {
      pattern: /smp_affinity_list/,
      run: async () => {
        await h.redis.set(lockKey(), 'other-agent:job#999999', 'PX', 60_000);
      },
    };
    const r = await h.run('vm.apply', apply('fence-lock', 0), { attempts: 1 });
    const thief = await h.redis.get(lockKey());
    await h.redis.del(lockKey());
    expect(thief, 'the other holder kept its lock').toBe('other-agent:job#999999');
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('LOCK_LOST');
    expect(r.error?.message).toContain('other-agent:job#999999');
    // the IRQ write that was under way finished; nothing after it ran
    expect(mutations().filter((c) => c.includes('smp_affinity_list'))).toHaveLength(1);
    expect(mutations().some((c) => /rps_cpus|virsh (define|start)/.test(c))).toBe(false);
    expect(
      host()
        .state()
        .domains.find((d) => d.name === 'fence-lock'),
    ).toBeUndefined();
    expect(r.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['VF attributes:SKIPPED', 'IRQ affinity:SUCCEEDED', 'RPS masks:FAILED']);
  });

  it('with retries left, a lost lock is taken again once free and the job converges', async () => {
    host().clearLog();
    onCommand = {
      pattern: /smp_affinity_list/,
      run: async () => {
        await h.redis.set(lockKey(), 'other-agent:short#999998', 'PX', 800);
      },
    };
    const r = await h.run('vm.apply', apply('fence-retry', 0), { attempts: 3 });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.attempts).toBe(2);
    expect(
      host()
        .state()
        .domains.find((d) => d.name === 'fence-retry')?.state,
    ).toBe('running');
  });

  it('each holder gets a larger fencing token than the one before', async () => {
    const seen: string[] = [];
    for (const name of ['fence-t1', 'fence-t2']) {
      onCommand = {
        pattern: /virsh (define|start)/,
        run: async () => {
          seen.push((await h.redis.get(lockKey())) ?? '');
        },
      };
      const r = await h.run('vm.apply', apply(name, 0), { attempts: 1 });
      expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    }
    const tokens = seen.map((v) => Number(v.split('#')[1]));
    expect(tokens[1]).toBeGreaterThan(tokens[0]);
  });

  it('a repair queued before a teardown, run after it, does not start the domain again (STALE_JOB)', async () => {
    const name = 'fence-stale';
    const created = await h.run('vm.apply', apply(name, 0), { attempts: 1 });
    expect(created.status, JSON.stringify(created.error)).toBe('SUCCEEDED');
    // the delete: a teardown for generation 1
    const td = await h.run(
      'vm.teardown',
      { host: h.target(host()), vmId: VM_ID, vmName: domainNameSchema.parse(name), vmGeneration: 1, vfs: [], irqs: [30], rps: [] },
      { attempts: 1 },
    );
    expect(td.status, JSON.stringify(td.error)).toBe('SUCCEEDED');
    expect(await h.redis.get(vmFenceKey(h.prefix, VM_ID)), 'the teardown raised the fence').toBe('1');
    host().clearLog();
    // the repair made for generation 0, queued before the delete, runs now
    const late = await h.run('vm.apply', apply(name, 0), { attempts: 1 });
    expect(late.status).toBe('FAILED');
    expect(late.error?.code).toBe('STALE_JOB');
    expect(mutations()).toEqual([]);
    expect(
      host()
        .state()
        .domains.find((d) => d.name === name),
    ).toBeUndefined();
  });

  it('a job in flight when the VM is deleted stops at its next step', async () => {
    const name = 'fence-midway';
    host().clearLog();
    // the API raises the fence on delete while the apply writes its IRQ affinity
    onCommand = {
      pattern: /smp_affinity_list/,
      run: async () => {
        await h.redis.set(vmFenceKey(h.prefix, VM_ID), '5');
      },
    };
    const r = await h.run('vm.apply', apply(name, 4), { attempts: 1 });
    expect(r.error?.code).toBe('STALE_JOB');
    expect(mutations().some((c) => /rps_cpus|virsh (define|start)/.test(c))).toBe(false);
    expect(
      host()
        .state()
        .domains.find((d) => d.name === name),
    ).toBeUndefined();
  });
});
