import { Public } from '../auth/auth.decorators';
import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Db } from '@netpin/db';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DB, REDIS } from '../db/db.module';

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return 'ok';
  } catch (e) {
    return (e as Error).message || 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

@Public()
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is up' })
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'PostgreSQL and Redis are reachable' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  async readyz(@Res({ passthrough: true }) res: Response): Promise<{ status: string; postgres: string; redis: string }> {
    const [postgres, redis] = await Promise.all([probe(() => this.db.$queryRaw`SELECT 1`), probe(() => this.redis.ping())]);
    const ready = postgres === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', postgres, redis };
  }
}
