import { describe, expect, it } from 'vitest';
import type { JobProgress } from '@netpin/contracts';
import { StepRunner } from './steps';

describe('StepRunner', () => {
  it("sends a step's report and its guard together, and runs the step only once both answered", async () => {
    const events: string[] = [];
    let answer!: () => void;
    const report = (p: JobProgress) => {
      events.push(`report ${p.step}`);
      return new Promise<void>((r) => (answer = r));
    };
    const guard = async () => void events.push('guard');
    const steps = new StepRunner(1, report, () => new Date(), guard);
    const running = steps.run('define domain', async () => {
      events.push('step');
      return 'changed';
    });
    await new Promise((r) => setTimeout(r, 10));
    // the guard did not wait for the report's answer; the step did
    expect(events).toEqual(['report define domain', 'guard']);
    answer();
    await running;
    expect(events).toEqual(['report define domain', 'guard', 'step']);
    expect(steps.steps.map((s) => s.state)).toEqual(['SUCCEEDED']);
  });

  it('a failed guard stops the step before it runs and records it FAILED; a failed report fails the run', async () => {
    const ran: string[] = [];
    const stopped = new StepRunner(
      2,
      async () => undefined,
      () => new Date(),
      async () => {
        throw new Error('lock lost');
      },
    );
    await expect(stopped.run('IRQ affinity', async () => (ran.push('irq'), 'changed'))).rejects.toThrow('lock lost');
    expect(ran).toEqual([]);
    expect(stopped.steps.map((s) => [s.name, s.state])).toEqual([['IRQ affinity', 'FAILED']]);

    const unreported = new StepRunner(1, async () => {
      throw new Error('redis down');
    });
    await expect(unreported.run('RPS masks', async () => (ran.push('rps'), 'changed'))).rejects.toThrow('redis down');
    expect(ran).toEqual([]);
  });
});
