import { describe, expect, it } from 'vitest';
import type { HostCommand } from '@netpin/host-ops';
import { AgentError } from './errors';
import { HostShell, type CommandObserver } from './host-shell';
import { AgentMetrics, commandLabel } from './metrics';
import { startMetricsServer } from './metrics-server';
import type { ExecResult, HostTransport } from './transport/transport';

/** A transport that answers from a script: an ExecResult, or an error to throw. */
function scripted(answers: (ExecResult | AgentError)[]): HostTransport {
  return {
    async exec() {
      const next = answers.shift();
      if (!next) throw new Error('the test ran more commands than it scripted');
      if (next instanceof AgentError) throw next;
      return next;
    },
    close: () => Promise.resolve(),
  };
}

const cmd = (argv: string[]): HostCommand => ({ argv });

async function sampleValue(m: AgentMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const hit = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val));
  return hit?.value;
}

describe('commandLabel', () => {
  it('labels by program name without its directory, and never by arguments', () => {
    expect(commandLabel('/usr/bin/virsh')).toBe('virsh');
    expect(commandLabel('ip')).toBe('ip');
    expect(commandLabel('weird name')).toBe('other');
    expect(commandLabel(undefined)).toBe('other');
  });
});

describe('HostShell observer', () => {
  it('reports each command with its outcome: ok, a refused exit status, a transport error', async () => {
    const seen: Parameters<CommandObserver>[0][] = [];
    const shell = new HostShell(
      scripted([
        { exitCode: 0, stdout: 'ok', stderr: '' },
        { exitCode: 1, stdout: '', stderr: 'no such device' },
        { exitCode: 1, stdout: '', stderr: '' },
        new AgentError('TIMEOUT', 'slow host'),
      ]),
      1000,
      (e) => seen.push(e),
    );
    await shell.run(cmd(['cat', '/sys/x']));
    await expect(shell.run(cmd(['ip', 'link', 'set']))).rejects.toMatchObject({ code: 'COMMAND_FAILED' });
    // exec hands back any exit status: not a failure
    expect((await shell.exec(cmd(['virsh', 'domstate', 'vm']))).exitCode).toBe(1);
    await expect(shell.exec(cmd(['ethtool', '-l', 'eth0']))).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(seen.map((s) => [s.argv0, s.error])).toEqual([
      ['cat', null],
      ['ip', 'COMMAND_FAILED'],
      ['virsh', null],
      ['ethtool', 'TIMEOUT'],
    ]);
    expect(seen.every((s) => s.seconds >= 0 && s.seconds < 5)).toBe(true);
  });
});

describe('AgentMetrics', () => {
  it('counts commands, failures, connects, jobs and lock waits under their labels', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.command('h1', 'ip', 0.01, null);
    m.command('h1', 'ip', 0.02, 'COMMAND_FAILED');
    m.connectAttempt('h1', null);
    m.connectAttempt('h1', 'SSH_AUTH_FAILED');
    const done = m.jobStarted('vm.apply');
    expect(await sampleValue(m, 'netpin_agent_jobs_active', { name: 'vm.apply' })).toBe(1);
    done('succeeded');
    m.lockWait('h1');
    expect(await sampleValue(m, 'netpin_agent_host_command_duration_seconds', { host: 'h1', command: 'ip', le: '+Inf' })).toBe(2);
    expect(await sampleValue(m, 'netpin_agent_host_command_failures_total', { host: 'h1', code: 'COMMAND_FAILED' })).toBe(1);
    expect(await sampleValue(m, 'netpin_agent_ssh_connect_attempts_total', { host: 'h1' })).toBe(2);
    expect(await sampleValue(m, 'netpin_agent_ssh_connect_failures_total', { host: 'h1', code: 'SSH_AUTH_FAILED' })).toBe(1);
    expect(await sampleValue(m, 'netpin_agent_jobs_total', { name: 'vm.apply', outcome: 'succeeded' })).toBe(1);
    expect(await sampleValue(m, 'netpin_agent_jobs_active', { name: 'vm.apply' })).toBe(0);
    expect(await sampleValue(m, 'netpin_agent_host_lock_waits_total', { host: 'h1' })).toBe(1);
  });

  it('serves the exposition at /metrics only', async () => {
    const m = new AgentMetrics();
    m.lockWait('h9');
    const server = await startMetricsServer(m.registry, { host: '127.0.0.1', port: 0 });
    try {
      const r = await fetch(server.url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/plain');
      const lines = (await r.text()).split('\n');
      expect(lines).toContain('netpin_agent_host_lock_waits_total{host="h9"} 1');
      expect(lines.some((l) => l.startsWith('process_cpu_user_seconds_total '))).toBe(true);
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
