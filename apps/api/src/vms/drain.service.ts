import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  DomainError,
  drainHostInputSchema,
  MIGRATION_REFUSALS,
  parseInput,
  vmMigrateResultDataSchema,
  type DrainItem,
  type DrainResult,
  type DrainStrategy,
} from '@netpin/contracts';
import { DrainRepository, HostRepository, OperationRepository, type DrainTickInput, type DrainTickOutput } from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { API_CONFIG, type ApiConfig } from '../config';
import type { Host } from '../hosts/host.model';
import { toHostView } from '../hosts/host.service';
import { OperationEvents } from '../operations/operation.events';
import type { Operation } from '../operations/operation.model';
import { toOperationView } from '../operations/operation.service';
import { APP_OPTIONS, type AppRuntimeOptions } from '../runtime';
import type { DrainHostInput } from './drain.model';
import { MIGRATE_KIND, MigrationService } from './migration.service';
import { PowerService } from './power.service';

const STOPPED_STAYS = 'stopped: stays defined on this host with its allocations (stopVm with release frees them)';

/** Refusals that say "this VM cannot move live, but cold it can" (LIVE_MIGRATE_IF_POSSIBLE). */
function liveOnlyRefusal(e: unknown): boolean {
  if (!(e instanceof DomainError) || e.code !== 'CONFLICT') return false;
  const reason = e.details['reason'];
  // the datapaths' codes; MIGRATION_REFUSALS (state, group, target) refuse COLD as much as LIVE
  return typeof reason === 'string' && !Object.hasOwn(MIGRATION_REFUSALS, reason);
}

function failed(it: DrainItem, e: unknown): DrainItem {
  if (!(e instanceof DomainError)) throw e;
  const reason = e.details['reason'];
  const code = typeof reason === 'string' ? reason : e.code;
  if (code === 'VM_NOT_RUNNING') return { ...it, outcome: 'SKIPPED', code, reason: e.message };
  return { ...it, outcome: 'FAILED', code, reason: e.message };
}

/** A migration's stored result says the VM runs on the target (a failure in release only). */
function landedOnTarget(result: unknown): boolean {
  const r = vmMigrateResultDataSchema.safeParse(result);
  return r.success && r.data.runningOn === 'target';
}

/** The drain's end: it succeeded when every VM moved, stopped or had nothing to do. */
function ending(items: DrainItem[]): { ok: boolean; message: string | null } {
  const bad = items.filter((i) => i.outcome === 'FAILED');
  if (bad.length === 0) return { ok: true, message: null };
  return { ok: false, message: `${bad.length} of ${items.length} VMs could not be moved: ${bad.map((i) => i.vmName).join(', ')}` };
}

/**
 * drainHost / undrainHost (docs/architecture.md "Drain"). The host goes into maintenance (no
 * new placement), then every VM on it is moved away (MigrationService.moveVm) or stopped, at
 * most maxParallel at a time, each VM's outcome kept in the drain operation's result. A tick
 * every NETPIN_DRAIN_TICK_MS, and as soon as a migration or stop ends, settles the moves that
 * finished and starts the next; drains survive a restart (the next tick picks them up) and any API process may advance them.
 */
@Injectable()
export class DrainService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DrainService.name);
  private timer?: NodeJS.Timeout;
  private busy = false;
  /** A kick came while a pass ran: run one more after it. */
  private kicked = false;
  private readonly stopEvents = new AbortController();

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(APP_OPTIONS) private readonly runtime: AppRuntimeOptions,
    @Inject(DrainRepository) private readonly drains: DrainRepository,
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(OperationRepository) private readonly ops: OperationRepository,
    @Inject(MigrationService) private readonly migration: MigrationService,
    @Inject(PowerService) private readonly power: PowerService,
    @Inject(OperationEvents) private readonly events: OperationEvents,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.NETPIN_DRAIN_TICK_MS;
    if (!this.runtime.background || every === 0) return;
    this.timer = setInterval(() => void this.pass(), every);
    this.timer.unref();
    void this.followMoves();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.stopEvents.abort();
  }

  /**
   * A migration or stop that ended (in any API process: the update is broadcast) may free a
   * drain's slot: advance the drains at once rather than at the next tick (the tick stays, for
   * drains whose moves ended while no process listened).
   */
  private async followMoves(): Promise<void> {
    try {
      for await (const op of this.events.stream(undefined, this.stopEvents.signal)) {
        if ((op.kind === MIGRATE_KIND || op.kind === 'vm.stop') && (op.state === 'SUCCEEDED' || op.state === 'FAILED')) this.kick();
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'drain: operation events ended');
    }
  }

  private kick(): void {
    if (this.busy) this.kicked = true;
    else void this.pass();
  }

  async drainHost(hostId: string, input: DrainHostInput | null | undefined, requestId: string): Promise<Operation> {
    const opts = parseInput(drainHostInputSchema, { strategy: input?.strategy ?? undefined, maxParallel: input?.maxParallel ?? undefined });
    const host = await this.hosts.get({ id: hostId });
    if (host.state !== 'MAINTENANCE') await this.hosts.setMaintenance(host.id, true, 'draining');
    const vms = await this.drains.vmsOnHost(host.id);
    const items = vms.map((v): DrainItem => {
      const item: DrainItem = { vmId: v.id, vmName: v.name, outcome: 'PENDING', action: null, operationId: null, code: null, reason: null };
      return v.state === 'STOPPED' ? { ...item, outcome: 'SKIPPED', code: 'VM_NOT_RUNNING', reason: STOPPED_STAYS } : item;
    });
    const op = await this.drains.begin(randomUUID(), host.id, { ...opts, items }, requestId);
    this.events.broadcast(op);
    void this.pass();
    return toOperationView(op);
  }

  /** Ends a running drain (moves already started go on) and takes the host out of maintenance. */
  async undrainHost(hostId: string): Promise<Host> {
    const host = await this.hosts.get({ id: hostId });
    const cancelled = await this.drains.cancel(host.id);
    if (cancelled) this.events.broadcast(cancelled);
    return toHostView(await this.hosts.setMaintenance(host.id, false, null));
  }

  /** Advances every running drain once; returns how many it advanced. */
  async pass(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    let n = 0;
    try {
      for (const id of await this.drains.runningIds()) {
        const op = await this.drains.tick(id, (t) => this.step(t, id));
        if (!op) continue;
        n++;
        this.events.broadcast(op);
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'drain pass failed');
    } finally {
      this.busy = false;
      if (this.kicked) {
        this.kicked = false;
        void this.pass();
      }
    }
    return n;
  }

  private async step({ result }: DrainTickInput, drainId: string): Promise<DrainTickOutput> {
    const items: DrainItem[] = [];
    for (const it of result.items) items.push(it.outcome === 'MOVING' ? await this.settle(it) : it);
    let moving = items.filter((i) => i.outcome === 'MOVING').length;
    for (let i = 0; i < items.length && moving < result.maxParallel; i++) {
      if (items[i].outcome !== 'PENDING') continue;
      items[i] = await this.start(items[i], result.strategy, drainId);
      if (items[i].outcome === 'MOVING') moving++;
    }
    const done = items.filter((i) => i.outcome !== 'PENDING' && i.outcome !== 'MOVING').length;
    const next: DrainResult = { ...result, items };
    const progress = items.length === 0 ? 100 : Math.floor((done * 100) / items.length);
    return { result: next, progress, finished: done === items.length ? ending(items) : undefined };
  }

  /** A moving VM's operation, once finished, decides its outcome. */
  private async settle(it: DrainItem): Promise<DrainItem> {
    if (!it.operationId) return { ...it, outcome: 'FAILED', reason: 'no operation recorded' };
    const op = await this.ops.get(it.operationId);
    if (op.state === 'QUEUED' || op.state === 'RUNNING') return it;
    if (op.state === 'SUCCEEDED') return { ...it, outcome: it.action === 'STOP' ? 'STOPPED' : 'MOVED' };
    // landed, only the source's release failed (its clean-up is retried by a child operation)
    if (it.action !== 'STOP' && landedOnTarget(op.result)) return { ...it, outcome: 'MOVED', code: op.errorCode, reason: op.errorMessage };
    return { ...it, outcome: 'FAILED', code: op.errorCode, reason: op.errorMessage };
  }

  /** Starts one VM's move (or stop); a refusal ends the VM's part with the reason. */
  private async start(it: DrainItem, strategy: DrainStrategy, drainId: string): Promise<DrainItem> {
    const requestId = `drain-${drainId}`;
    try {
      if (strategy === 'STOP') {
        const op = await this.power.stopVm(it.vmId, { release: false }, requestId);
        return { ...it, outcome: 'MOVING', action: 'STOP', operationId: op.id };
      }
      try {
        const op = await this.migration.moveVm(it.vmId, { strategy: 'LIVE' }, requestId);
        return { ...it, outcome: 'MOVING', action: 'LIVE', operationId: op.id };
      } catch (e) {
        if (strategy !== 'LIVE_MIGRATE_IF_POSSIBLE' || !liveOnlyRefusal(e)) throw e;
        const op = await this.migration.moveVm(it.vmId, { strategy: 'COLD' }, requestId);
        return { ...it, outcome: 'MOVING', action: 'COLD', operationId: op.id };
      }
    } catch (e) {
      return failed(it, e);
    }
  }
}
