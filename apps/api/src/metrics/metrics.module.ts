import { Global, Module } from '@nestjs/common';
import { ApiMetrics, METRICS_REGISTRY, createRegistry } from './api-metrics';
import { MetricsController } from './metrics.controller';
import { ScrapeGauges } from './scrape-gauges';

/** Prometheus metrics: one Registry per app instance, event metrics and scrape-time gauges. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_REGISTRY, useFactory: createRegistry }, ApiMetrics, ScrapeGauges],
  exports: [ApiMetrics, METRICS_REGISTRY],
})
export class MetricsModule {}
