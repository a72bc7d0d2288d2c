import type { OperationErrorCode } from '@netpin/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How a job attempt ended, as the jobs counter labels it. */
export type JobOutcome = 'succeeded' | 'failed' | 'retried' | 'invalid';

/** The name a command is labelled by: the program, without its directory (bounded cardinality). */
export function commandLabel(argv0: string | undefined): string {
  const base = (argv0 ?? '').split('/').pop() ?? '';
  return /^[A-Za-z0-9_.+-]{1,64}$/.test(base) ? base : 'other';
}

/**
 * The agent's Prometheus metrics, in a Registry of its own (tests run several agents in one
 * process). Every name, type and label is listed in docs/metrics.md.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly commandDuration: Histogram<'host' | 'command'>;
  private readonly commandFailures: Counter<'host' | 'code'>;
  private readonly connects: Counter<'host'>;
  private readonly connectFailures: Counter<'host' | 'code'>;
  private readonly jobs: Counter<'name' | 'outcome'>;
  private readonly jobDuration: Histogram<'name' | 'outcome'>;
  private readonly jobsActive: Gauge<'name'>;
  private readonly lockWaits: Counter<'host'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.commandDuration = new Histogram({
      name: 'netpin_agent_host_command_duration_seconds',
      help: 'Host commands (over SSH, or local) from send to exit status, failed ones included',
      labelNames: ['host', 'command'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.commandFailures = new Counter({
      name: 'netpin_agent_host_command_failures_total',
      help: 'Host commands that failed: transport errors (SSH_UNREACHABLE, TIMEOUT, ...) or an exit status outside the ok set (COMMAND_FAILED)',
      labelNames: ['host', 'code'],
      registers,
    });
    this.connects = new Counter({
      name: 'netpin_agent_ssh_connect_attempts_total',
      help: 'SSH handshakes started (one connection per host is reused while it stays up)',
      labelNames: ['host'],
      registers,
    });
    this.connectFailures = new Counter({
      name: 'netpin_agent_ssh_connect_failures_total',
      help: 'SSH handshakes that failed, by error code',
      labelNames: ['host', 'code'],
      registers,
    });
    this.jobs = new Counter({
      name: 'netpin_agent_jobs_total',
      help: 'Job attempts finished, by job name and outcome (retried: a retryable failure BullMQ will try again)',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'netpin_agent_job_duration_seconds',
      help: 'One job attempt, from taking the host lock to publishing the result',
      labelNames: ['name', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.jobsActive = new Gauge({ name: 'netpin_agent_jobs_active', help: 'Jobs running now', labelNames: ['name'], registers });
    this.lockWaits = new Counter({
      name: 'netpin_agent_host_lock_waits_total',
      help: 'Mutating jobs put back because another mutating job held the host',
      labelNames: ['host'],
      registers,
    });
  }

  command(host: string, command: string, seconds: number, error: OperationErrorCode | null): void {
    this.commandDuration.observe({ host, command }, seconds);
    if (error) this.commandFailures.inc({ host, code: error });
  }

  connectAttempt(host: string, error: OperationErrorCode | null): void {
    this.connects.inc({ host });
    if (error) this.connectFailures.inc({ host, code: error });
  }

  /** Marks a job running; the returned function records its outcome and duration. */
  jobStarted(name: string): (outcome: JobOutcome) => void {
    this.jobsActive.inc({ name });
    const end = this.jobDuration.startTimer({ name });
    return (outcome) => {
      this.jobsActive.dec({ name });
      end({ outcome });
      this.jobs.inc({ name, outcome });
    };
  }

  invalidJob(name: string): void {
    this.jobs.inc({ name, outcome: 'invalid' });
  }

  lockWait(host: string): void {
    this.lockWaits.inc({ host });
  }
}
