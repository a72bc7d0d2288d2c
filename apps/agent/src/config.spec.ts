import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const base = { NETPIN_AGENT_KEY_DIR: '/etc/netpin/keys' };

describe('loadConfig', () => {
  it('fills defaults from a minimal environment', () => {
    const c = loadConfig(base, 'host-1');
    expect(c).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', queuePrefix: 'netpin', keyDir: '/etc/netpin/keys', concurrency: 16, agentId: 'host-1', transport: 'ssh' });
  });

  it.each([
    [{}, 'NETPIN_AGENT_KEY_DIR is required'],
    [{ ...base, NETPIN_AGENT_CONCURRENCY: 'many' }, 'NETPIN_AGENT_CONCURRENCY must be an integer between 1 and 256, got "many"'],
    [{ ...base, NETPIN_AGENT_CONCURRENCY: '0' }, 'NETPIN_AGENT_CONCURRENCY must be an integer between 1 and 256, got "0"'],
    [{ ...base, REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ ...base, NETPIN_QUEUE_PREFIX: 'a b' }, 'NETPIN_QUEUE_PREFIX must be 1-64 letters'],
    [{ NETPIN_AGENT_KEY_DIR: 'keys' }, 'NETPIN_AGENT_KEY_DIR must be an absolute path'],
    [{ ...base, NETPIN_AGENT_TRANSPORT: 'telnet' }, 'NETPIN_AGENT_TRANSPORT'],
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
