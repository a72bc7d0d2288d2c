import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Rejection } from '@netpin/contracts';
import { ProvisioningRepository, type FinishedOperation } from '@netpin/db';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { driftFieldGroup, rejectionReasonCodes } from './samples';

/** One registry per app (not prom-client's global one): tests build several apps in one process. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export type PlacementKind = 'preview' | 'explain' | 'capacity' | 'create' | 'start' | 'attach' | 'migrate';

/**
 * The API's event metrics (counted where things happen). Gauges read at scrape time live
 * in ScrapeGauges. Every name, type and label is listed in docs/metrics.md.
 */
@Injectable()
export class ApiMetrics implements OnModuleDestroy {
  readonly placementDuration: Histogram<'kind'>;
  readonly placementRejections: Counter<'kind' | 'reason'>;
  readonly operations: Counter<'kind' | 'state'>;
  readonly operationDuration: Histogram<'kind' | 'state'>;
  readonly driftEvents: Counter<'host' | 'field'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(METRICS_REGISTRY) readonly registry: Registry,
    @Inject(ProvisioningRepository) prov: ProvisioningRepository,
  ) {
    const registers = [registry];
    this.placementDuration = new Histogram({
      name: 'netpin_placement_duration_seconds',
      help: 'Time to a placement decision: snapshot plus engine for preview/explain/capacity; snapshot, engine and the locked write for create',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.placementRejections = new Counter({
      name: 'netpin_placement_rejections_total',
      help: 'Requests nothing could place, once per request under each reason code that turned it away',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.operations = new Counter({
      name: 'netpin_operations_total',
      help: 'Operations that reached a final state, by kind',
      labelNames: ['kind', 'state'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'netpin_operation_duration_seconds',
      help: 'Operation created to finished (queueing, the agent job and result handling)',
      labelNames: ['kind', 'state'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.driftEvents = new Counter({
      name: 'netpin_drift_events_total',
      help: 'Differences between a running VM and its plan found by a verify, by host and field group',
      labelNames: ['host', 'field'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'netpin_http_request_duration_seconds',
      help: 'HTTP requests (REST, GraphQL, probes, metrics) by route pattern, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.unsubscribe = prov.onOperationFinished((op) => this.operationFinished(op));
  }

  /** Time a placement decision; the histogram is observed whether it placed, rejected or threw. */
  async timePlacement<T>(kind: PlacementKind, fn: () => Promise<T>): Promise<T> {
    const end = this.placementDuration.startTimer({ kind });
    try {
      return await fn();
    } finally {
      end();
    }
  }

  rejected(kind: PlacementKind, rejection: Pick<Rejection, 'requestReasons' | 'summary'>): void {
    for (const reason of rejectionReasonCodes(rejection)) this.placementRejections.inc({ kind, reason });
  }

  driftDetected(host: string, diff: readonly { field: string }[]): void {
    for (const d of diff) this.driftEvents.inc({ host, field: driftFieldGroup(d.field) });
  }

  private operationFinished(op: FinishedOperation): void {
    this.operations.inc({ kind: op.kind, state: op.state });
    const seconds = Math.max(0, (op.finishedAt.getTime() - op.createdAt.getTime()) / 1000);
    this.operationDuration.observe({ kind: op.kind, state: op.state }, seconds);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
