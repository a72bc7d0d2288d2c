import { describe, expect, it } from 'vitest';
import { HOST_JOB_NAMES } from '@netpin/contracts';
import { assertHandlersComplete, defaultHandlers, MissingHandlerError } from './index';

describe('handler registry', () => {
  it('has a handler for every job name in contracts', () => {
    expect(() => assertHandlersComplete(defaultHandlers)).not.toThrow();
    expect(Object.keys(defaultHandlers).sort()).toEqual([...HOST_JOB_NAMES].sort());
  });

  it('refuses a registry that lacks a job name', () => {
    const { 'vm.verify': _dropped, ...partial } = defaultHandlers;
    expect(() => assertHandlersComplete(partial)).toThrow(MissingHandlerError);
    expect(() => assertHandlersComplete(partial)).toThrow('vm.verify');
  });

  it('marks exactly the host-changing jobs as mutating', () => {
    const mutating = HOST_JOB_NAMES.filter((n) => defaultHandlers[n].mutating);
    expect(mutating.sort()).toEqual([
      'host.configureSriov',
      'vm.apply',
      'vm.attachInterface',
      'vm.detachInterface',
      'vm.migrate',
      'vm.reboot',
      'vm.stop',
      'vm.teardown',
    ]);
  });
});

describe('createAgent', () => {
  it('refuses to start when a job name has no handler', async () => {
    const { createAgent } = await import('../agent');
    const { 'host.discover': _gone, ...partial } = defaultHandlers;
    expect(() =>
      createAgent(
        {
          redisUrl: 'redis://127.0.0.1:6379',
          queuePrefix: 'never-used',
          keyDir: '/nonexistent',
          concurrency: 1,
          agentId: 'x',
          transport: 'ssh',
          commandTimeoutMs: 1000,
          connectTimeoutMs: 1000,
          lockTtlMs: 1000,
          lockRetryMs: 10,
          metricsPort: 0,
          metricsHost: '127.0.0.1',
          logLevel: 'silent',
        },
        { handlers: partial },
      ),
    ).toThrow('no handler for job host.discover');
  });
});
