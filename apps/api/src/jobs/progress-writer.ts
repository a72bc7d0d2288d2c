import type { OperationRecord } from '@netpin/db';

export interface ProgressItem {
  id: string;
  step: string;
  progress: number;
}

/**
 * Job progress written in batches (group commit): while one write is in flight, the steps
 * reported meanwhile are gathered, the latest per operation, and go out together in the
 * next statement. At low load each report is written at once, as before; under a burst
 * (32 creates in flight, six steps each) the API makes one round trip per batch instead of
 * one per step.
 */
export class ProgressWriter {
  private readonly pending = new Map<string, ProgressItem>();
  private running: Promise<void> | null = null;

  constructor(
    private readonly write: (items: ProgressItem[]) => Promise<OperationRecord[]>,
    private readonly written: (op: OperationRecord) => void,
    private readonly failed: (e: unknown, items: ProgressItem[]) => void,
  ) {}

  /** Queue a report; progress only grows, the step is the latest reported. */
  add(item: ProgressItem): void {
    const had = this.pending.get(item.id);
    this.pending.set(item.id, had ? { ...item, progress: Math.max(had.progress, item.progress) } : item);
    this.running ??= this.drain();
  }

  /** Resolves once everything queued so far is written (tests, shutdown). */
  async flushed(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // let the reports of this tick join the first batch
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.size > 0) {
      const items = [...this.pending.values()];
      this.pending.clear();
      try {
        for (const op of await this.write(items)) this.written(op);
      } catch (e) {
        this.failed(e, items);
      }
    }
    this.running = null;
  }
}
