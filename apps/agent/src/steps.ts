import type { JobProgress, OperationStep } from '@netpin/contracts';
import { toAgentError } from './errors';

/** What a step did: a step that found the host already right reports "unchanged". */
export type StepOutcome = 'changed' | 'unchanged';

export type Clock = () => Date;

/**
 * Runs a handler's named steps in order, reporting progress before each and recording
 * start/finish/state for the result. A failure is recorded and rethrown as AgentError.
 */
export class StepRunner {
  readonly steps: OperationStep[] = [];
  private index = 0;
  private current: string | null = null;

  constructor(
    private readonly total: number,
    private readonly report: (p: JobProgress) => Promise<void>,
    private readonly clock: Clock = () => new Date(),
    /** Runs before each step of a mutating job (host lock and VM fence still ours); throws to stop. */
    private readonly guard: () => Promise<void> = async () => undefined,
  ) {}

  get changed(): string[] {
    return this.steps.filter((s) => s.state === 'SUCCEEDED').map((s) => s.name);
  }

  /**
   * How far the running step got (0..1), reported as progress within it; outside a step, or
   * when the report fails (progress is advisory), nothing happens.
   */
  async within(fraction: number): Promise<void> {
    if (this.current === null || !Number.isFinite(fraction)) return;
    const f = Math.min(1, Math.max(0, fraction));
    await this.report({ step: this.current, index: this.index - 1, total: this.total, fraction: f }).catch(() => undefined);
  }

  /**
   * Reports the step, checks the guard, then runs it. The report and the guard's reads go out
   * together (one Redis round trip for both, where they were two or three one after another);
   * the step runs only once both answered, and a failed report fails the job as before.
   */
  async run(name: string, fn: () => Promise<StepOutcome>): Promise<void> {
    const reported = this.report({ step: name, index: this.index, total: this.total });
    const guarded = this.guard().then(
      () => null,
      (e: unknown) => ({ e }),
    );
    await reported;
    this.current = name;
    this.index++;
    const startedAt = this.clock().toISOString();
    try {
      const stop = await guarded;
      if (stop) throw stop.e;
    } catch (e) {
      // stopped before the step touched the host: recorded as the step that did not run
      this.steps.push({ name, state: 'FAILED', startedAt, finishedAt: this.clock().toISOString() });
      throw toAgentError(e);
    }
    try {
      const outcome = await fn();
      this.steps.push({ name, state: outcome === 'changed' ? 'SUCCEEDED' : 'SKIPPED', startedAt, finishedAt: this.clock().toISOString() });
    } catch (e) {
      this.steps.push({ name, state: 'FAILED', startedAt, finishedAt: this.clock().toISOString() });
      throw toAgentError(e);
    }
  }
}
