import { hostname } from 'node:os';
import { Queue, Worker, type WorkerOptions } from 'bullmq';
import { bullPrefix, createRedis, type RedisClient } from '@netpin/db';
import pino, { type Logger } from 'pino';
import { HOST_OPS_QUEUE, RESULT_JOB_NAME, RESULTS_QUEUE, resultJobId, type HostTarget, type OperationResult } from '@netpin/contracts';
import { DEFAULT_JOB_LOCK_MS, type AgentConfig } from './config';
import { credentialsFor, type CredentialResolver } from './credentials';
import { AgentError } from './errors';
import { assertHandlersComplete, defaultHandlers, type HandlerRegistry } from './handlers';
import { HostLocks } from './host-lock';
import { HostTurns } from './host-turns';
import { JobRunner } from './job-runner';
import { VfClaimsReader } from './vf-claims';
import { VmFences } from './vm-fence';
import { AgentMetrics } from './metrics';
import type { Clock } from './steps';
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
  /** Takes no new jobs (the running ones finish) until resume(); another agent takes them meanwhile. */
  pause(): Promise<void>;
  resume(): void;
  close(): Promise<void>;
}

const redisOpts = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;

function transportsFor(config: AgentConfig, credentials: CredentialResolver, metrics: AgentMetrics): TransportProvider {
  if (config.transport === 'local') return new LocalTransportProvider(config.localHost ?? hostname().split('.')[0]);
  return new SshPool(credentials, {
    connectTimeoutMs: config.connectTimeoutMs,
    onConnect: (host, error) => metrics.connectAttempt(host.name, error?.code ?? null),
  });
}

/** The results queue, as a function that adds one operation's final outcome (once: job id = operation id). */
function resultsPublisher(results: Queue<OperationResult>): (result: OperationResult) => Promise<void> {
  return async (result) => {
    await results.add(RESULT_JOB_NAME, result, {
      jobId: resultJobId(result.operationId),
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
    });
  };
}

/** The queue worker's options; a job whose agent died runs again once its lock expired and a stalled check saw it. */
function workerOptions(config: AgentConfig, connection: WorkerOptions['connection'], prefix: string): WorkerOptions {
  const lock = config.jobLockMs ?? DEFAULT_JOB_LOCK_MS;
  return { connection, prefix, concurrency: config.concurrency, lockDuration: lock, stalledInterval: lock, autorun: true };
}

/** Builds the agent: a BullMQ worker on the host-ops queue running a JobRunner, publishing to the results queue. */
export function createAgent(config: AgentConfig, deps: AgentDeps = {}): Agent {
  const handlers = deps.handlers ?? defaultHandlers;
  assertHandlersComplete(handlers);
  const log = deps.logger ?? pino({ level: config.logLevel, base: { agentId: config.agentId, host: hostname() } });
  // "file:" keys from keyDir, "secret:" keys from the encrypted store (DATABASE_URL + master key)
  const credentials: CredentialResolver = deps.credentials ?? credentialsFor(config);
  const metrics = deps.metrics ?? new AgentMetrics();
  const transports = deps.transports ?? transportsFor(config, credentials, metrics);
  const lockRedis = createRedis(config.redisUrl, redisOpts);
  const queueRedis = createRedis(config.redisUrl, redisOpts);
  const results = new Queue<OperationResult>(RESULTS_QUEUE, {
    connection: queueRedis,
    prefix: bullPrefix(config.redisUrl, config.queuePrefix, RESULTS_QUEUE),
  });
  const runner = new JobRunner({
    registry: handlers as HandlerRegistry,
    log,
    clock: deps.clock ?? (() => new Date()),
    metrics,
    transports,
    wrapTransport: deps.wrapTransport,
    locks: new HostLocks(lockRedis, `${config.queuePrefix}:netpin`, config.lockTtlMs),
    // a quarter of the worker slots may wait behind one host's job; the rest serve other hosts
    turns: new HostTurns(Math.max(1, Math.floor(config.concurrency / 4))),
    fences: new VmFences(lockRedis, config.queuePrefix),
    vfClaims: new VfClaimsReader(lockRedis, config.queuePrefix),
    publish: resultsPublisher(results),
    agentId: config.agentId,
    lockRetryMs: config.lockRetryMs,
    commandTimeoutMs: config.commandTimeoutMs,
    maxOutputBytes: config.maxOutputBytes,
  });
  let worker: Worker | null = null;
  let workerRedis: RedisClient | null = null;
  const hostOpsPrefix = bullPrefix(config.redisUrl, config.queuePrefix, HOST_OPS_QUEUE);

  return {
    id: config.agentId,
    transports,
    metrics,
    async start() {
      if (worker) return;
      workerRedis = createRedis(config.redisUrl, redisOpts);
      worker = new Worker(HOST_OPS_QUEUE, runner.handle, workerOptions(config, workerRedis, hostOpsPrefix));
      worker.on('error', (e) => log.error({ err: e }, 'worker error'));
      await worker.waitUntilReady();
      log.info(
        { queue: HOST_OPS_QUEUE, prefix: hostOpsPrefix, concurrency: config.concurrency, transport: config.transport },
        'agent started',
      );
    },
    async pause() {
      await worker?.pause();
    },
    resume() {
      worker?.resume();
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
      if (!deps.credentials) await credentials.close?.();
      await Promise.all([lockRedis, queueRedis, workerRedis].map((r) => r?.quit().catch(() => undefined)));
      log.info('agent stopped');
    },
  };
}

export { AgentError };
