import type { LoggerService } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { StartupQuietLogger } from './startup-logger';

function recorder(): { inner: LoggerService; calls: string[] } {
  const calls: string[] = [];
  const at = (level: string) => (message: unknown, context?: unknown) => calls.push(`${level} ${String(context)}: ${String(message)}`);
  return {
    calls,
    inner: { log: at('info'), error: at('error'), warn: at('warn'), debug: at('debug'), verbose: at('verbose'), fatal: at('fatal') },
  };
}

describe('StartupQuietLogger', () => {
  it("turns Nest's module and route mapping into debug lines", () => {
    const { inner, calls } = recorder();
    const log = new StartupQuietLogger(inner);
    log.log('Mapped {/graphql, POST} route', 'RouterExplorer');
    log.log('AppModule dependencies initialized', 'InstanceLoader');
    log.log('Nest application successfully started', 'NestApplication');
    expect(calls).toEqual([
      'debug RouterExplorer: Mapped {/graphql, POST} route',
      'debug InstanceLoader: AppModule dependencies initialized',
      'debug NestApplication: Nest application successfully started',
    ]);
  });

  it('leaves the API own messages and every warning or error at their level', () => {
    const { inner, calls } = recorder();
    const log = new StartupQuietLogger(inner);
    log.log('outbox relay started', 'OutboxRelay');
    log.warn('slow start', 'RouterExplorer');
    log.error('boom', 'InstanceLoader');
    expect(calls).toEqual(['info OutboxRelay: outbox relay started', 'warn RouterExplorer: slow start', 'error InstanceLoader: boom']);
  });
});
