import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const base = { NETPIN_AGENT_KEY_DIR: '/etc/netpin/keys' };

describe('loadConfig', () => {
  it('fills defaults from a minimal environment', () => {
    const c = loadConfig(base, 'host-1');
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'netpin',
      keyDir: '/etc/netpin/keys',
      concurrency: 16,
      agentId: 'host-1',
      transport: 'ssh',
    });
    expect(c).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1' });
  });

  it('caps command output at 16 MiB unless told otherwise, within 64 KiB and 1 GiB', () => {
    expect(loadConfig(base, 'h').maxOutputBytes).toBe(16 * 1024 * 1024);
    expect(loadConfig({ ...base, NETPIN_AGENT_MAX_OUTPUT_BYTES: '1048576' }, 'h').maxOutputBytes).toBe(1048576);
    expect(() => loadConfig({ ...base, NETPIN_AGENT_MAX_OUTPUT_BYTES: '1000' }, 'h')).toThrow(/NETPIN_AGENT_MAX_OUTPUT_BYTES/);
  });

  it("keeps BullMQ's 30 s job lock unless told otherwise, from 2 s up", () => {
    expect(loadConfig(base, 'h').jobLockMs).toBe(30_000);
    expect(loadConfig({ ...base, NETPIN_AGENT_JOB_LOCK_MS: '5000' }, 'h').jobLockMs).toBe(5000);
    expect(() => loadConfig({ ...base, NETPIN_AGENT_JOB_LOCK_MS: '500' }, 'h')).toThrow(/NETPIN_AGENT_JOB_LOCK_MS/);
  });

  it('takes the local host name for the local transport, and refuses one that cannot be a host name', () => {
    expect(loadConfig({ ...base, NETPIN_AGENT_TRANSPORT: 'local', NETPIN_AGENT_LOCAL_HOST: 'hv-07' }, 'h')).toMatchObject({
      transport: 'local',
      localHost: 'hv-07',
    });
    expect(() => loadConfig({ ...base, NETPIN_AGENT_LOCAL_HOST: 'hv 07; rm' }, 'h')).toThrow(/NETPIN_AGENT_LOCAL_HOST/);
  });

  it('turns the metrics endpoint off with port 0', () => {
    expect(loadConfig({ ...base, NETPIN_AGENT_METRICS_PORT: '0', NETPIN_AGENT_METRICS_HOST: '0.0.0.0' }, 'h')).toMatchObject({
      metricsPort: 0,
      metricsHost: '0.0.0.0',
    });
  });

  it('reads the secret store settings: DATABASE_URL and the master keyring', () => {
    expect(loadConfig(base, 'h')).toMatchObject({ databaseUrl: null, masterKeyring: null });
    const c = loadConfig(
      {
        ...base,
        DATABASE_URL: 'postgresql://netpin@db/netpin',
        NETPIN_MASTER_KEY: `new:${'ab'.repeat(32)}`,
        NETPIN_MASTER_KEY_PREVIOUS: `old:${'cd'.repeat(32)}`,
      },
      'h',
    );
    expect(c.databaseUrl).toBe('postgresql://netpin@db/netpin');
    expect(c.masterKeyring?.currentKeyId).toBe('new');
    expect(c.masterKeyring?.keyIds).toEqual(['new', 'old']);
  });

  it.each([
    [{}, 'NETPIN_AGENT_KEY_DIR is required'],
    [{ ...base, NETPIN_AGENT_CONCURRENCY: 'many' }, 'NETPIN_AGENT_CONCURRENCY must be an integer between 1 and 256, got "many"'],
    [{ ...base, NETPIN_AGENT_CONCURRENCY: '0' }, 'NETPIN_AGENT_CONCURRENCY must be an integer between 1 and 256, got "0"'],
    [
      { ...base, REDIS_URL: 'localhost:6379' },
      'REDIS_URL must be a redis://, rediss://, redis+cluster://, rediss+cluster:// or redis+sentinel:// URL',
    ],
    [{ ...base, NETPIN_QUEUE_PREFIX: 'a b' }, 'NETPIN_QUEUE_PREFIX must be 1-64 letters'],
    [{ NETPIN_AGENT_KEY_DIR: 'keys' }, 'NETPIN_AGENT_KEY_DIR must be an absolute path'],
    [{ ...base, NETPIN_AGENT_TRANSPORT: 'telnet' }, 'NETPIN_AGENT_TRANSPORT'],
    [{ ...base, NETPIN_AGENT_METRICS_PORT: '70000' }, 'NETPIN_AGENT_METRICS_PORT must be an integer between 0 and 65535, got "70000"'],
    [{ ...base, NETPIN_AGENT_METRICS_HOST: 'not a host' }, 'NETPIN_AGENT_METRICS_HOST'],
    [{ ...base, DATABASE_URL: 'mysql://db/netpin' }, 'DATABASE_URL must be a postgresql:// URL'],
    [{ ...base, NETPIN_MASTER_KEY: 'c2hvcnQ=' }, 'NETPIN_MASTER_KEY must be 32 bytes as 64 hex digits or base64'],
    [
      { ...base, NETPIN_MASTER_KEY: 'ab'.repeat(32), NETPIN_MASTER_KEY_FILE: '/etc/netpin/master.key' },
      'NETPIN_MASTER_KEY and NETPIN_MASTER_KEY_FILE are both set',
    ],
    [{ ...base, NETPIN_MASTER_KEY_FILE: '/nonexistent/master.key' }, 'NETPIN_MASTER_KEY_FILE cannot be read (ENOENT'],
    [{ ...base, NETPIN_MASTER_KEY_PREVIOUS: 'ab'.repeat(32) }, 'NETPIN_MASTER_KEY_PREVIOUS is set without a current key'],
  ])('rejects %j with one line naming the variable', (env, text) => {
    let err: unknown;
    try {
      loadConfig(env, 'h');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(text);
    expect((err as Error).message).not.toContain('\n');
  });
});
