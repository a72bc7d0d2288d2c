import { Public } from '../auth/auth.decorators';
import { Controller, Get, HttpCode, Inject, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Db } from '@netpin/db';
import type { Response } from 'express';
import { DB, REDIS } from '../db/db.module';
import { SnapshotWarmer, type WarmState } from '../placement/snapshot-warmer';
import type { RedisClient } from '@netpin/db';

type Probe = { ok: true } | { ok: false; error: string };
type Status = 'ok' | 'down';

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Probe> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message || 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** How often the same dependency's failure is logged again while it stays down. */
const LOG_EVERY_MS = 60_000;

@Public()
@ApiTags('health')
@Controller()
export class HealthController {
  private readonly logger = new Logger('readiness');
  private readonly lastLogged = new Map<string, { error: string; at: number }>();

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(SnapshotWarmer) private readonly warmer: SnapshotWarmer,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is up' })
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * Anyone may ask (load balancers carry no token), so the answer names the dependency that
   * is down and nothing more: the driver's error text (addresses, user names, versions) goes
   * to the API's log, at most once a minute per dependency and error. Ready also means the
   * placement index built at start is there (`placement: warm`) or is not being built
   * (`cold`: warming off, or its read failed; the first placement reads the fleet): while it
   * is read (`warming`) the answer is 503.
   */
  @Get('readyz')
  @ApiOkResponse({ description: 'PostgreSQL and Redis are reachable and the placement index is not being built' })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down ("down"; the log says why), or the placement index is being built ("warming")',
  })
  async readyz(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: string; postgres: Status; redis: Status; placement: WarmState }> {
    const [postgres, redis] = await Promise.all([probe(() => this.db.$queryRaw`SELECT 1`), probe(() => this.redis.ping())]);
    const placement = this.warmer.status;
    const ready = postgres.ok && redis.ok && placement !== 'warming';
    res.status(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not ready',
      postgres: this.verdict('postgres', postgres),
      redis: this.verdict('redis', redis),
      placement,
    };
  }

  private verdict(name: string, p: Probe): Status {
    if (p.ok) {
      this.lastLogged.delete(name);
      return 'ok';
    }
    const last = this.lastLogged.get(name);
    if (!last || last.error !== p.error || Date.now() - last.at > LOG_EVERY_MS) {
      this.lastLogged.set(name, { error: p.error, at: Date.now() });
      this.logger.warn({ dependency: name, error: p.error }, `not ready: ${name} is down`);
    }
    return 'down';
  }
}
