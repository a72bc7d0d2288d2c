import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// the deploy files configure the apps: they are checked against the apps' own schemas
// eslint-disable-next-line @nx/enforce-module-boundaries
import { agentEnvSchema, loadConfig } from '../../apps/agent/src/config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { apiConfigSchema } from '../../apps/api/src/config';

const dir = resolve(__dirname, '../../deploy/systemd');
const UNITS = ['netpin-agent.service', 'netpin-agent-local.service', 'netpin-api.service'];

/** NAME=value lines of an environment file, commented-out examples included. */
function assignments(file: string): { name: string; value: string; active: boolean }[] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .map((l) => /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[2], value: m[3], active: m[1] === '' }));
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasSystemdAnalyze) console.log('skipped: systemd-analyze is not installed (Debian package systemd), the unit files are not verified');

describe('systemd units', () => {
  it.skipIf(!hasSystemdAnalyze)('pass systemd-analyze verify without a warning', () => {
    for (const unit of UNITS) {
      const r = spawnSync('systemd-analyze', ['verify', join(dir, unit)], { encoding: 'utf8' });
      expect({ unit, status: r.status, output: (r.stdout + r.stderr).trim() }).toEqual({ unit, status: 0, output: '' });
    }
  });

  it('set only variables the agent reads', () => {
    const known = Object.keys(agentEnvSchema.shape).concat(['NETPIN_MASTER_KEY', 'NETPIN_MASTER_KEY_FILE', 'NETPIN_MASTER_KEY_PREVIOUS']);
    const set = assignments('agent.env').map((a) => a.name);
    const inUnits = UNITS.filter((u) => u.startsWith('netpin-agent')).flatMap((u) =>
      [...readFileSync(join(dir, u), 'utf8').matchAll(/^Environment=([A-Z0-9_]+)=/gm)].map((m) => m[1]),
    );
    expect([...set, ...inUnits].filter((n) => !known.includes(n))).toEqual([]);
    expect(set).toEqual(expect.arrayContaining(['REDIS_URL', 'NETPIN_QUEUE_PREFIX', 'NETPIN_AGENT_KEY_DIR', 'NETPIN_AGENT_LOCAL_HOST']));
  });

  it('give the agent a configuration it accepts, over SSH and locally', () => {
    const env = Object.fromEntries(
      assignments('agent.env')
        .filter((a) => a.active)
        .map((a) => [a.name, a.value]),
    );
    expect(loadConfig(env, 'agent-1')).toMatchObject({ transport: 'ssh', keyDir: '/etc/netpin/keys', metricsHost: '127.0.0.1' });
    expect(loadConfig({ ...env, NETPIN_AGENT_TRANSPORT: 'local' }, 'agent-1')).toMatchObject({ transport: 'local' });
  });

  it('give the API only variables it reads, with values it accepts', () => {
    const all = assignments('api.env');
    expect(all.map((a) => a.name).filter((n) => !(n in apiConfigSchema.shape))).toEqual([]);
    const env = Object.fromEntries(all.filter((a) => a.active).map((a) => [a.name, a.value]));
    expect(apiConfigSchema.safeParse(env).success).toBe(true);
  });
});
