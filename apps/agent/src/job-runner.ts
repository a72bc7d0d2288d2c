import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  HOST_JOB_NAMES,
  hostJobPayloadSchemas,
  type HostJobName,
  type HostJobPayloads,
  type HostTarget,
  type OperationError,
  type OperationResult,
} from '@netpin/contracts';
import { toAgentError } from './errors';
import type { HandlerRegistry, JobHandler } from './handlers';
import type { HeldLock, HostLocks } from './host-lock';
import { HostTurns } from './host-turns';
import type { VfClaimsReader } from './vf-claims';
import type { VmFences } from './vm-fence';
import { HostShell } from './host-shell';
import { commandLabel, type AgentMetrics } from './metrics';
import { StepRunner, type Clock } from './steps';
import type { TransportProvider } from './transport/ssh-pool';
import type { HostTransport } from './transport/transport';

export interface JobRunnerDeps {
  registry: HandlerRegistry;
  log: Logger;
  clock: Clock;
  metrics: AgentMetrics;
  transports: TransportProvider;
  wrapTransport?: (host: HostTarget, t: HostTransport) => HostTransport;
  locks: HostLocks;
  /** This process's per-host order of mutating jobs (default: up to 4 waiting per host). */
  turns?: HostTurns;
  fences: VmFences;
  vfClaims: VfClaimsReader;
  /** Sends an operation's final outcome to the results queue. */
  publish: (result: OperationResult) => Promise<void>;
  agentId: string;
  lockRetryMs: number;
  commandTimeoutMs: number;
  maxOutputBytes?: number;
}

type Outcome = 'succeeded' | 'failed' | 'retried';

/**
 * Runs one host-ops job: validates its payload, takes the host lock for a mutating job,
 * runs the handler's steps over the host's transport, and publishes the final outcome.
 * Retryable failures are rethrown for BullMQ's backoff; only the last attempt publishes.
 */
export class JobRunner {
  private readonly turns: HostTurns;

  constructor(private readonly d: JobRunnerDeps) {
    this.turns = d.turns ?? new HostTurns(4);
  }

  /** The BullMQ processor. */
  readonly handle = async (job: Job, token?: string): Promise<OperationResult> => {
    if (!(HOST_JOB_NAMES as readonly string[]).includes(job.name)) throw new UnrecoverableError(`unknown job name ${job.name}`);
    const kind = job.name as HostJobName;
    const parsed = hostJobPayloadSchemas[kind].safeParse(job.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw await this.refusePayload(job, kind, `invalid ${kind} payload: ${issue.path.join('.')}: ${issue.message}`);
    }
    return this.run(kind, parsed.data, job, token);
  };

  /** A payload that fails its schema: logged with whatever ids it carries, and reported when it names an operation. */
  private async refusePayload(job: Job, kind: HostJobName, message: string): Promise<UnrecoverableError> {
    const given = (job.data ?? {}) as { requestId?: unknown; operationId?: unknown; host?: { id?: unknown } };
    const requestId = typeof given.requestId === 'string' ? given.requestId : undefined;
    const operationId = typeof given.operationId === 'string' ? given.operationId : undefined;
    this.d.log.error({ jobId: job.id, kind, requestId, operationId }, message);
    this.d.metrics.invalidJob(kind);
    if (operationId && /^[0-9a-f-]{36}$/i.test(operationId)) {
      await this.d.publish({
        operationId,
        requestId: requestId ?? '',
        hostId: typeof given.host?.id === 'string' ? given.host.id : '',
        kind,
        status: 'FAILED',
        error: { code: 'BAD_PAYLOAD', message },
        steps: [],
        attempts: job.attemptsMade + 1,
      } as OperationResult);
    }
    return new UnrecoverableError(message);
  }

  private async run<K extends HostJobName>(kind: K, payload: HostJobPayloads[K], job: Job, token?: string): Promise<OperationResult> {
    const handler: JobHandler<K> = this.d.registry[kind];
    const jlog = this.d.log.child({
      requestId: payload.requestId,
      operationId: payload.operationId,
      kind,
      hostId: payload.host.id,
      jobId: job.id,
    });
    if (job.id !== payload.operationId) jlog.warn('job id is not the operation id: retries may not be deduplicated');
    const hosts = [payload.host, ...(handler.peerHosts?.(payload) ?? [])];
    const held = handler.mutating ? await this.hold(hosts, job, token, jlog) : null;
    const locks = held?.locks ?? [];
    const attempt = job.attemptsMade + 1;
    const fence = handler.vmFence?.(payload);
    // under the host lock(s), before each step: each lock is still ours, the VM's generation still current
    // (asked together, one round trip; a stale VM is reported before a lost lock, as when asked in turn)
    const guard = async () => {
      const checks = await Promise.allSettled([...(fence ? [this.d.fences.check(fence)] : []), ...locks.map((l) => l.check())]);
      const failed = checks.find((c) => c.status === 'rejected');
      if (failed) throw failed.reason;
    };
    const steps = new StepRunner(handler.stepCount(payload), (p) => job.updateProgress(p), this.d.clock, guard);
    const started = Date.now();
    const finished = this.d.metrics.jobStarted(kind);
    let outcome: Outcome = 'failed';
    jlog.info({ attempt }, 'job started');
    try {
      const vfClaims = this.d.vfClaims.forHost(payload.host.id, `${this.d.agentId}:${job.id}`);
      const shellFor = (h: HostTarget): HostShell => {
        if (!hosts.some((x) => x.id === h.id)) throw new Error(`job ${kind} did not lock host ${h.name}`);
        return this.shell(h);
      };
      const ctx = { host: payload.host, shell: this.shell(payload.host), steps, log: jlog, vfClaims, shellFor };
      const data = await handler.run(payload, ctx);
      for (const l of locks) if (!l.valid) jlog.warn({ fencingToken: l.fencingToken }, 'host lock expired after the last step');
      const result = this.result(kind, payload, { status: 'SUCCEEDED', data }, steps, attempt);
      await this.d.publish(result);
      outcome = 'succeeded';
      jlog.info({ ms: Date.now() - started, changed: steps.changed }, 'job succeeded');
      return result;
    } catch (e) {
      const err = toAgentError(e);
      const final = !err.retryable || attempt >= (job.opts.attempts ?? 1);
      // what is logged and reported of the host's words is cleaned and cut (errors.ts)
      const reported = err.toOperationError();
      jlog.warn(
        { ms: Date.now() - started, code: reported.code, command: reported.command, stderr: reported.stderr, attempt, final },
        reported.message,
      );
      if (!final) {
        outcome = 'retried';
        throw err;
      }
      await this.d.publish(this.result(kind, payload, { status: 'FAILED', error: reported, data: err.data }, steps, attempt));
      throw new UnrecoverableError(`${reported.code}: ${reported.message}`);
    } finally {
      finished(outcome);
      for (const l of locks) await l.release().catch((e: unknown) => jlog.error({ err: e }, 'failed to release host lock'));
      held?.endTurns();
    }
  }

  /**
   * This process's turn on each host (waiting behind its other jobs there), then each host
   * lock; all taken in host id order (two migrations crossing between the same hosts ask in
   * the same order, so neither waits for the other), or none: what was taken is given back and
   * the job goes back to the delayed set while another job holds one of the hosts.
   */
  private async hold(
    hosts: HostTarget[],
    job: Job,
    token: string | undefined,
    jlog: Logger,
  ): Promise<{ locks: HeldLock[]; endTurns: () => void }> {
    const ordered = [...new Map(hosts.map((h) => [h.id, h])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const turns: (() => void)[] = [];
    const endTurns = () => turns.forEach((end) => end());
    const locks: HeldLock[] = [];
    try {
      for (const host of ordered) {
        const endTurn = await this.turns.take(host.id);
        if (!endTurn) return await this.delay(host, job, token, jlog);
        turns.push(endTurn);
      }
      for (const host of ordered) {
        const lock = await this.d.locks.tryAcquire(host.id, `${this.d.agentId}:${job.id}`);
        if (!lock) return await this.delay(host, job, token, jlog);
        locks.push(lock);
      }
      return { locks, endTurns };
    } catch (e) {
      for (const l of locks) await l.release().catch(() => undefined);
      endTurns();
      throw e;
    }
  }

  private async delay(host: HostTarget, job: Job, token: string | undefined, jlog: Logger): Promise<never> {
    this.d.metrics.lockWait(host.name);
    if (jlog.isLevelEnabled('debug'))
      jlog.debug({ holder: await this.d.locks.holder(host.id) }, 'host busy with another mutating job: delaying');
    await job.moveToDelayed(this.d.clock().getTime() + this.d.lockRetryMs, token);
    throw new DelayedError();
  }

  private shell(host: HostTarget): HostShell {
    const base = this.d.transports.forHost(host);
    const transport = this.d.wrapTransport ? this.d.wrapTransport(host, base) : base;
    return new HostShell(
      transport,
      this.d.commandTimeoutMs,
      (c) => this.d.metrics.command(host.name, commandLabel(c.argv0), c.seconds, c.error),
      this.d.maxOutputBytes,
    );
  }

  private result<K extends HostJobName>(
    kind: K,
    payload: HostJobPayloads[K],
    outcome: { status: 'SUCCEEDED'; data: unknown } | { status: 'FAILED'; error: OperationError; data?: unknown },
    steps: StepRunner,
    attempts: number,
  ): OperationResult {
    return {
      operationId: payload.operationId,
      requestId: payload.requestId,
      hostId: payload.host.id,
      kind,
      ...outcome,
      steps: steps.steps,
      attempts,
      ...this.observed(payload.host),
    } as OperationResult;
  }

  /** A trust-on-first-use host: the key seen, for the API to pin. */
  private observed(host: HostTarget): { observedHostKeyFingerprint?: string } {
    if (host.hostKeyFingerprint !== null) return {};
    const fp = this.d.transports.learnedFingerprint(host);
    return fp ? { observedHostKeyFingerprint: fp } : {};
  }
}
