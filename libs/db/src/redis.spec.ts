import { describe, expect, it } from 'vitest';
import { bullPrefix, isClusterUrl, parseRedisUrl } from './redis';

describe('parseRedisUrl', () => {
  it('keeps a one-server URL as it is', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisUrl('rediss://u:p@cache.example:6380/2')).toEqual({ mode: 'single', url: 'rediss://u:p@cache.example:6380/2' });
  });

  it('reads a cluster URL: seed nodes, credentials, TLS', () => {
    expect(parseRedisUrl('redis+cluster://127.0.0.1:7001,127.0.0.1:7002')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://netpin:s%40cret@a.example:6379,[::1]:7000/')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'a.example', port: 6379 },
        { host: '::1', port: 7000 },
      ],
      username: 'netpin',
      password: 's@cret',
      tls: true,
    });
  });

  it('reads a Sentinel URL: sentinels and the master name', () => {
    expect(parseRedisUrl('redis+sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/mymaster')).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      name: 'mymaster',
      username: undefined,
      password: 'pw',
      tls: false,
    });
  });

  it.each([
    ['localhost:6379', 'must be a redis://, rediss://, redis+cluster://, rediss+cluster:// or redis+sentinel:// URL'],
    ['redis+sentinel://10.0.0.1:26379', 'a Sentinel URL ends with the master name'],
    ['redis+sentinel://10.0.0.1:26379/my master', 'a Sentinel URL is redis+sentinel://'],
    ['http://127.0.0.1:6379', 'must be a redis://'],
    ['redis+cluster://127.0.0.1', 'cluster node "127.0.0.1" is not host:port'],
    ['redis+cluster://127.0.0.1:7001,,127.0.0.1:7002', 'cluster node "" is not host:port'],
    ['redis+cluster://127.0.0.1:70000', 'cluster node "127.0.0.1:70000" is not host:port'],
    ['redis+cluster://127.0.0.1:7001/0', 'no database: a cluster has only 0'],
  ])('rejects %s, saying why', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });
});

describe('bullPrefix', () => {
  it('is NETPIN_QUEUE_PREFIX itself on one server', () => {
    expect(bullPrefix('redis://127.0.0.1:6379', 'netpin', 'netpin-host-ops')).toBe('netpin');
  });

  it('is one hash tag per queue on a cluster', () => {
    const url = 'redis+cluster://127.0.0.1:7001';
    expect(isClusterUrl(url)).toBe(true);
    expect(bullPrefix(url, 'netpin', 'netpin-host-ops')).toBe('{netpin:netpin-host-ops}');
    expect(bullPrefix(url, 'netpin', 'netpin-results')).toBe('{netpin:netpin-results}');
  });
});
