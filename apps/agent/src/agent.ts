import { hostname } from 'node:os';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import {
  HOST_JOB_NAMES,
  HOST_OPS_QUEUE,
  RESULT_JOB_NAME,
  RESULTS_QUEUE,
  hostJobPayloadSchemas,
  resultJobId,
  type HostJobName,
  type HostJobPayloads,
  type HostTarget,
  type OperationResult,
} from '@netpin/contracts';
import type { AgentConfig } from './config';
import { credentialsFor, type CredentialResolver } from './credentials';
import { AgentError, toAgentError } from './errors';
import { assertHandlersComplete, defaultHandlers, type HandlerRegistry, type JobHandler } from './handlers';
import { HostLocks } from './host-lock';
import { HostShell } from './host-shell';
import { AgentMetrics, commandLabel } from './metrics';
import { StepRunner, type Clock } from './steps';
import { LocalTransportProvider } from './transport/local-transport';
import { SshPool, type TransportProvider } from './transport/ssh-pool';
import type { HostTransport } from './transport/transport';

export interface AgentDeps {
  logger?: Logger;
  clock?: Clock;
  credentials?: CredentialResolver;
  transports?: TransportProvider;
  /** Checked at start: a registry lacking a job name stops the agent. */
  handlers?: Partial<HandlerRegistry>;
  /** Wraps each host transport (instrumentation in tests). */
  wrapTransport?: (host: HostTarget, t: HostTransport) => HostTransport;
  /** Prometheus metrics (a fresh registry per agent when not given). */
  metrics?: AgentMetrics;
}

export interface Agent {
  readonly id: string;
  readonly transports: TransportProvider;
  /** Its Prometheus registry; main.ts serves it on NETPIN_AGENT_METRICS_PORT. */
  readonly metrics: AgentMetrics;
  /** Resolves once the worker is connected and consuming. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const redisOpts = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;

/** Builds the agent: a BullMQ worker on the host-ops queue, publishing to the results queue. */
export function createAgent(config: AgentConfig, deps: AgentDeps = {}): Agent {
  const handlers = deps.handlers ?? defaultHandlers;
  assertHandlersComplete(handlers);
  const registry = handlers as HandlerRegistry;
  const log = deps.logger ?? pino({ level: config.logLevel, base: { agentId: config.agentId, host: hostname() } });
  const clock = deps.clock ?? (() => new Date());
  // "file:" keys from keyDir, "secret:" keys from the encrypted store (DATABASE_URL + master key)
  const credentials: CredentialResolver = deps.credentials ?? credentialsFor(config);
  const ownsCredentials = !deps.credentials;
  const metrics = deps.metrics ?? new AgentMetrics();
  const transports =
    deps.transports ??
    (config.transport === 'local'
      ? new LocalTransportProvider()
      : new SshPool(credentials, {
          connectTimeoutMs: config.connectTimeoutMs,
          onConnect: (host, error) => metrics.connectAttempt(host.name, error?.code ?? null),
        }));

  const lockRedis = new Redis(config.redisUrl, redisOpts);
  const queueRedis = new Redis(config.redisUrl, redisOpts);
  const locks = new HostLocks(lockRedis, `${config.queuePrefix}:netpin`, config.lockTtlMs);
  const results = new Queue<OperationResult>(RESULTS_QUEUE, { connection: queueRedis, prefix: config.queuePrefix });
  let worker: Worker | null = null;
  let workerRedis: Redis | null = null;

  async function publish(result: OperationResult): Promise<void> {
    await results.add(RESULT_JOB_NAME, result, {
      jobId: resultJobId(result.operationId),
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
    });
  }

  async function process(job: Job, token?: string): Promise<OperationResult> {
    if (!(HOST_JOB_NAMES as readonly string[]).includes(job.name)) throw new UnrecoverableError(`unknown job name ${job.name}`);
    const kind = job.name as HostJobName;
    const parsed = hostJobPayloadSchemas[kind].safeParse(job.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = `invalid ${kind} payload: ${issue.path.join('.')}: ${issue.message}`;
      const given = job.data as { requestId?: unknown; operationId?: unknown };
      // what ids the payload does carry still tie this line to its request
      log.error(
        {
          jobId: job.id,
          kind,
          requestId: typeof given.requestId === 'string' ? given.requestId : undefined,
          operationId: typeof given.operationId === 'string' ? given.operationId : undefined,
        },
        message,
      );
      metrics.invalidJob(kind);
      const opId = given.operationId;
      if (typeof opId === 'string' && /^[0-9a-f-]{36}$/i.test(opId)) {
        const d = job.data as { requestId?: unknown; host?: { id?: unknown } };
        await publish({
          operationId: opId,
          requestId: typeof d.requestId === 'string' ? d.requestId : '',
          hostId: typeof d.host?.id === 'string' ? d.host.id : '',
          kind,
          status: 'FAILED',
          error: { code: 'BAD_PAYLOAD', message },
          steps: [],
          attempts: job.attemptsMade + 1,
        } as OperationResult);
      }
      throw new UnrecoverableError(message);
    }
    return runJob(kind, parsed.data, job, token);
  }

  async function runJob<K extends HostJobName>(kind: K, payload: HostJobPayloads[K], job: Job, token?: string): Promise<OperationResult> {
    const handler: JobHandler<K> = registry[kind];
    const jlog = log.child({
      requestId: payload.requestId,
      operationId: payload.operationId,
      kind,
      hostId: payload.host.id,
      jobId: job.id,
    });
    if (job.id !== payload.operationId) jlog.warn('job id is not the operation id: retries may not be deduplicated');

    let lock = null;
    if (handler.mutating) {
      lock = await locks.tryAcquire(payload.host.id, `${config.agentId}:${job.id}`);
      if (!lock) {
        metrics.lockWait(payload.host.name);
        jlog.debug({ holder: await locks.holder(payload.host.id) }, 'host busy with another mutating job: delaying');
        await job.moveToDelayed(clock().getTime() + config.lockRetryMs, token);
        throw new DelayedError();
      }
    }
    const attempt = job.attemptsMade + 1;
    const steps = new StepRunner(handler.stepCount(payload), (p) => job.updateProgress(p), clock);
    const base = transports.forHost(payload.host);
    const transport = deps.wrapTransport ? deps.wrapTransport(payload.host, base) : base;
    const shell = new HostShell(transport, config.commandTimeoutMs, (c) =>
      metrics.command(payload.host.name, commandLabel(c.argv0), c.seconds, c.error),
    );
    const started = Date.now();
    const finished = metrics.jobStarted(kind);
    let outcome: 'succeeded' | 'failed' | 'retried' = 'failed';
    jlog.info({ attempt }, 'job started');
    try {
      const data = await handler.run(payload, { host: payload.host, shell, steps, log: jlog });
      if (lock && !lock.valid) jlog.warn('host lock expired while the job ran');
      const result = {
        operationId: payload.operationId,
        requestId: payload.requestId,
        hostId: payload.host.id,
        kind,
        status: 'SUCCEEDED',
        data,
        steps: steps.steps,
        attempts: attempt,
        ...observed(payload.host),
      } as OperationResult;
      await publish(result);
      outcome = 'succeeded';
      jlog.info({ ms: Date.now() - started, changed: steps.changed }, 'job succeeded');
      return result;
    } catch (e) {
      const err = toAgentError(e);
      const final = !err.retryable || attempt >= (job.opts.attempts ?? 1);
      jlog.warn({ ms: Date.now() - started, code: err.code, command: err.command, stderr: err.stderr, attempt, final }, err.message);
      if (!final) {
        outcome = 'retried';
        throw err;
      }
      const result = {
        operationId: payload.operationId,
        requestId: payload.requestId,
        hostId: payload.host.id,
        kind,
        status: 'FAILED',
        error: err.toOperationError(),
        steps: steps.steps,
        attempts: attempt,
        ...observed(payload.host),
      } as OperationResult;
      await publish(result);
      throw new UnrecoverableError(`${err.code}: ${err.message}`);
    } finally {
      finished(outcome);
      await lock?.release().catch((e: unknown) => jlog.error({ err: e }, 'failed to release host lock'));
    }
  }

  function observed(host: HostTarget): { observedHostKeyFingerprint?: string } {
    if (host.hostKeyFingerprint !== null) return {};
    const fp = transports.learnedFingerprint(host);
    return fp ? { observedHostKeyFingerprint: fp } : {};
  }

  return {
    id: config.agentId,
    transports,
    metrics,
    async start() {
      if (worker) return;
      workerRedis = new Redis(config.redisUrl, redisOpts);
      worker = new Worker(HOST_OPS_QUEUE, process, {
        connection: workerRedis,
        prefix: config.queuePrefix,
        concurrency: config.concurrency,
        autorun: true,
      });
      worker.on('error', (e) => log.error({ err: e }, 'worker error'));
      await worker.waitUntilReady();
      log.info(
        { queue: HOST_OPS_QUEUE, prefix: config.queuePrefix, concurrency: config.concurrency, transport: config.transport },
        'agent started',
      );
    },
    async close() {
      // Let running jobs finish (their locks are released in finally) before closing hosts.
      if (worker) {
        const w = worker;
        worker = null;
        await w.close();
        await w.disconnect().catch(() => undefined);
      }
      await results.close();
      await transports.close();
      if (ownsCredentials) await credentials.close?.();
      await Promise.all([lockRedis, queueRedis, workerRedis].map((r) => r?.quit().catch(() => undefined)));
      log.info('agent stopped');
    },
  };
}

export { AgentError };
