import type { OperationRecord } from '@netpin/db';

export interface ProgressItem {
  id: string;
  step: string;
  progress: number;
}

/**
 * Job progress written in batches (group commit): while one write is in flight, and for
 * `minGapMs` after it started, the steps reported meanwhile are gathered, the latest per
 * operation, and go out together in the next statement. A report after a quiet spell is
 * written at once; under a burst (32 creates in flight, six steps each, then their verifies)
 * the API makes at most one round trip per `minGapMs` instead of one per step or two: with
 * no gap, a 500-VM run wrote 2.5 progress statements per VM (docs/benchmarks.md).
 */
export class ProgressWriter {
  private readonly pending = new Map<string, ProgressItem>();
  private running: Promise<void> | null = null;
  private lastStart = 0;

  constructor(
    private readonly write: (items: ProgressItem[]) => Promise<OperationRecord[]>,
    private readonly written: (op: OperationRecord) => void,
    private readonly failed: (e: unknown, items: ProgressItem[]) => void,
    private readonly minGapMs = 50,
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
      // the reports that come within the gap after a write started join the next one
      const wait = this.lastStart + this.minGapMs - Date.now();
      if (wait > 0) await new Promise<void>((r) => setTimeout(r, wait));
      const items = [...this.pending.values()];
      this.pending.clear();
      this.lastStart = Date.now();
      try {
        for (const op of await this.write(items)) this.written(op);
      } catch (e) {
        this.failed(e, items);
      }
    }
    this.running = null;
  }
}
