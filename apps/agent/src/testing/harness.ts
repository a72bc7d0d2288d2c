import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { z } from 'zod';
import {
  HOST_OPS_QUEUE,
  RESULTS_QUEUE,
  hostJobOptions,
  type HostJobName,
  type hostJobPayloadSchemas,
  type HostTarget,
  type OperationResult,
} from '@netpin/contracts';
import { startFleet, type Fleet, type SimHost } from '@netpin/hostsim';
import { createAgent, type Agent, type AgentDeps } from '../agent';
import type { AgentConfig } from '../config';

/** A job's payload as a producer writes it (defaults, such as vmGeneration 0, may be left out). */
export type JobBody<K extends HostJobName> = Omit<z.input<(typeof hostJobPayloadSchemas)[K]>, 'operationId' | 'requestId'>;

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * A real environment for agent tests: a hostsim fleet over SSH, a unique BullMQ prefix on
 * the shared Redis, a producer and a results consumer, and agents created in-process.
 */
export class Harness {
  readonly prefix = `netpin-test-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  readonly stateDir = mkdtempSync(join(tmpdir(), 'netpin-agent-'));
  readonly redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  readonly queue = new Queue(HOST_OPS_QUEUE, { connection: this.redis, prefix: this.prefix });
  private readonly results = new Map<string, OperationResult>();
  private readonly waiters = new Map<string, (r: OperationResult) => void>();
  private resultWorker: Worker | null = null;
  private readonly agents: Agent[] = [];
  fleet!: Fleet;

  async start(profiles: string[]): Promise<void> {
    this.fleet = await startFleet({ count: profiles.length, profiles, stateDir: this.stateDir });
    this.resultWorker = new Worker(
      RESULTS_QUEUE,
      async (job) => {
        const r = job.data as OperationResult;
        this.results.set(r.operationId, r);
        this.waiters.get(r.operationId)?.(r);
      },
      { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: this.prefix, concurrency: 8 },
    );
    await this.resultWorker.waitUntilReady();
  }

  config(overrides: Partial<AgentConfig> = {}): AgentConfig {
    return {
      redisUrl: REDIS_URL,
      queuePrefix: this.prefix,
      keyDir: this.stateDir,
      concurrency: 8,
      agentId: `agent-${this.agents.length + 1}`,
      transport: 'ssh',
      commandTimeoutMs: 5000,
      connectTimeoutMs: 3000,
      lockTtlMs: 5000,
      lockRetryMs: 50,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      logLevel: 'silent',
      ...overrides,
    };
  }

  async agent(overrides: Partial<AgentConfig> = {}, deps: AgentDeps = {}): Promise<Agent> {
    const a = createAgent(this.config(overrides), { logger: pino({ level: process.env['AGENT_TEST_LOG'] ?? 'silent' }), ...deps });
    this.agents.push(a);
    await a.start();
    return a;
  }

  target(h: SimHost, over: Partial<HostTarget> = {}): HostTarget {
    return {
      id: h.hostname,
      name: h.hostname,
      address: h.address,
      port: h.port,
      user: h.user,
      credentialRef: 'file:client_ed25519',
      hostKeyFingerprint: h.fingerprint,
      trustOnFirstUse: false,
      ...over,
    };
  }

  /** Enqueue a job the way the API does (job id = operation id) and return its operation id. */
  async enqueue<K extends HostJobName>(kind: K, body: JobBody<K>, opts: { attempts?: number } = {}): Promise<string> {
    const operationId = randomUUID();
    const payload = { ...body, operationId, requestId: `req-${operationId.slice(0, 8)}` };
    const o = hostJobOptions(operationId);
    await this.queue.add(kind, payload, { ...o, attempts: opts.attempts ?? o.attempts, backoff: { type: 'fixed', delay: 100 } });
    return operationId;
  }

  waitResult(operationId: string, timeoutMs = 15_000): Promise<OperationResult> {
    const have = this.results.get(operationId);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no result for ${operationId} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(operationId, (r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  async run<K extends HostJobName>(kind: K, body: JobBody<K>, opts: { attempts?: number } = {}): Promise<OperationResult> {
    return this.waitResult(await this.enqueue(kind, body, opts));
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.close()));
    await this.resultWorker?.close();
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
    // Everything this run wrote lives under its prefix.
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
    await this.redis.quit();
    await this.fleet?.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
