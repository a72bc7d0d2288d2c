import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainNameSchema, ifNameSchema } from '@netpin/contracts';
import { generateEd25519 } from '@netpin/hostsim';
import { defaultHandlers } from './handlers';
import type { Agent } from './agent';
import type { HandlerRegistry } from './handlers';
import { Harness } from './testing/harness';

const VM_ID = '00000000-0000-4000-8000-00000000d00d';
const dom = (name: string) =>
  `<domain type='kvm'><name>${name}</name><metadata><netpin:vm xmlns:netpin="https://netpin.dev/xmlns/domain/1" id="${VM_ID}"/></metadata><memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices><interface type='bridge'><mac address='52:54:00:dd:00:01'/><source bridge='br0'/><model type='virtio'/></interface></devices></domain>`;

async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const t0 = Date.now(); !done(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`not done within ${timeoutMs} ms`);
  }
}

describe('agent resilience over real SSH', () => {
  const h = new Harness();
  const teardown = (host: Parameters<Harness['target']>[0], batch: number, i: number) => ({
    host: h.target(host),
    vmId: VM_ID,
    vmName: domainNameSchema.parse(`gone-${batch}-${i}`),
    vfs: [],
    irqs: [],
    rps: [],
  });
  const intervals: { agent: string; host: string; start: number; end: number }[] = [];
  const started: { agent: string; host: string }[] = [];
  const agents: Agent[] = [];

  beforeAll(async () => {
    await h.start(['small-one-node', 'small-one-node', 'dual-socket-sriov']);
    // Two agent processes' worth of workers on one queue, each recording when it ran a mutating job.
    for (const agentId of ['agent-a', 'agent-b']) {
      const handlers: HandlerRegistry = {
        ...defaultHandlers,
        'vm.teardown': {
          ...defaultHandlers['vm.teardown'],
          run: async (p, ctx) => {
            const start = performance.now();
            started.push({ agent: agentId, host: p.host.id });
            try {
              return await defaultHandlers['vm.teardown'].run(p, ctx);
            } finally {
              intervals.push({ agent: agentId, host: p.host.id, start, end: performance.now() });
            }
          },
        },
      };
      agents.push(await h.agent({ agentId }, { handlers }));
    }
  });
  afterAll(() => h.stop());

  it('converges after the connection drops in the middle of vm.apply', async () => {
    const host = h.fleet.hosts[0];
    const vmName = domainNameSchema.parse('vm-drop');
    host.clearLog();
    // The 5th command falls in the RPS step, after the IRQ write: the drop lands mid-apply.
    host.setFaults({ dropAfterCommands: 4 });
    const rps = [{ dev: ifNameSchema.parse('enp1s0'), rxQueue: 0, cpus: [3] }];
    const r = await h.run('vm.apply', {
      host: h.target(host),
      vmId: VM_ID,
      vmName,
      domainXml: dom('vm-drop'),
      vfs: [],
      irqAffinity: [{ irq: 30, cpus: [2] }],
      rps,
      start: true,
    });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.attempts).toBeGreaterThan(1);
    expect(host.state().commandLog.some((c) => c.injected === 'drop')).toBe(true);
    const d = host.state().domains.filter((x) => x.name === 'vm-drop');
    expect(d).toHaveLength(1);
    expect(d[0].state).toBe('running');
    expect(host.state().irqs.find((i) => i.irq === 30)?.affinity).toEqual([2]);
    expect(host.state().nics[0].rps[0]).toEqual([3]);
  });

  it('fails with HOST_KEY_MISMATCH before any command when the host key changed', async () => {
    const host = h.fleet.hosts[1];
    const pinned = h.target(host);
    host.changeHostKey();
    host.clearLog();
    const r = await h.run('host.discover', { host: pinned });
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('HOST_KEY_MISMATCH');
    expect(r.error?.message).toContain(host.fingerprint);
    expect(r.attempts).toBe(1);
    expect(host.state().commandLog).toEqual([]);
  });

  it('learns the key of a trust-on-first-use host and reports it for pinning', async () => {
    const host = h.fleet.hosts[1];
    const r = await h.run('vm.teardown', {
      host: h.target(host, { id: 'tofu-host', hostKeyFingerprint: null, trustOnFirstUse: true }),
      vmId: VM_ID,
      vmName: domainNameSchema.parse('nothing'),
      vfs: [],
      irqs: [],
      rps: [],
    });
    expect(r.status, JSON.stringify(r.error)).toBe('SUCCEEDED');
    expect(r.observedHostKeyFingerprint).toBe(host.fingerprint);
  });

  it('refuses an unknown key without trustOnFirstUse', async () => {
    const host = h.fleet.hosts[1];
    host.clearLog();
    // The contract forbids this combination; an agent must hold the line even if a producer skips validation.
    const r = await h.run('host.discover', { host: h.target(host, { id: 'no-pin', hostKeyFingerprint: null, trustOnFirstUse: false }) });
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('BAD_PAYLOAD');
    expect(host.state().commandLog).toEqual([]);
  });

  it('reports SSH_AUTH_FAILED for a key the host does not accept', async () => {
    const host = h.fleet.hosts[0];
    writeFileSync(join(h.stateDir, 'stranger'), generateEd25519('stranger').private, { mode: 0o600 });
    const r = await h.run('vm.verify', {
      host: h.target(host, { id: 'stranger', credentialRef: 'file:stranger' }),
      vmId: VM_ID,
      vmName: domainNameSchema.parse('x'),
      domainXml: dom('x'),
      vfs: [],
      irqAffinity: [],
      rps: [],
      start: false,
    });
    expect(r.status).toBe('FAILED');
    expect(r.error?.code).toBe('SSH_AUTH_FAILED');
  });

  it('never runs two mutating jobs on one host at once, even across two agents', async () => {
    const host = h.fleet.hosts[2];
    intervals.length = 0;
    started.length = 0;
    const agentsOn = () => new Set(intervals.filter((i) => i.host === host.hostname).map((i) => i.agent));
    // Which agent picks a job is up to BullMQ: on a busy machine one agent can take a whole
    // batch. Then the next batch starts with that agent paused until the other one has begun a
    // job of this host, and resumed while it runs: both contend for the host's lock.
    let batches = 0;
    while (batches < 3 && agentsOn().size < 2) {
      batches++;
      const hog = batches > 1 ? agents.find((a) => agentsOn().has(a.id)) : undefined;
      await hog?.pause();
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => h.enqueue('vm.teardown', teardown(host, batches, i))));
      if (hog) {
        await until(() => started.some((s) => s.host === host.hostname && s.agent !== hog.id));
        hog.resume();
      }
      const results = await Promise.all(ids.map((id) => h.waitResult(id)));
      expect(results.map((r) => r.status)).toEqual(results.map(() => 'SUCCEEDED'));
    }
    const mine = intervals.filter((i) => i.host === host.hostname).sort((a, b) => a.start - b.start);
    expect(mine).toHaveLength(10 * batches);
    for (let i = 1; i < mine.length; i++) expect(mine[i].start).toBeGreaterThanOrEqual(mine[i - 1].end);
    // Both agents took part, so the exclusion held across processes' workers, not within one.
    expect(agentsOn().size).toBe(2);
  });
});
