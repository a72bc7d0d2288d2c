import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { Allow } from '../auth/auth.decorators';
import { METRICS_REGISTRY } from './api-metrics';

/**
 * Prometheus exposition at /metrics (outside /api/v1, not rate limited). Deny by default
 * holds here too: Prometheus scrapes with a VIEWER token (`authorization` in its
 * scrape config; see the README's Metrics section).
 */
@ApiExcludeController()
@Allow('VIEWER')
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    const body = await this.registry.metrics();
    res.setHeader('content-type', this.registry.contentType);
    res.setHeader('cache-control', 'no-store');
    return body;
  }
}
