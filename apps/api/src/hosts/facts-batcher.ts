import type { DiscoveredHost } from '@netpin/db';

/** At most this many hosts' results in one transaction. */
export const FACTS_BATCH_MAX = 64;

interface Pending {
  item: DiscoveredHost;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Discovery results applied in batches (group commit): while one batch is being written,
 * the results arriving meanwhile are gathered and go out together in the next one, one
 * transaction and one hold of the fleet-wide PlacementState lock for all of them. Applied
 * one at a time, every result took that lock on its own and the results of a fleet's first
 * discovery queued behind each other (issue 16). At low load a result is written at once.
 *
 * `apply` resolves once the item's facts are committed, or rejects with its own error:
 * when a batch fails, its items are retried one by one, so one bad host does not cost the
 * others their results. A host appears at most once per batch (a second result for the
 * same host waits for the next one).
 */
export class FactsBatcher {
  private readonly pending: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    /** Writes the hosts' facts in one transaction (all or nothing); returns the hosts written. */
    private readonly write: (items: DiscoveredHost[]) => Promise<Set<string>>,
    private readonly missing: (hostId: string) => Error,
    private readonly max = FACTS_BATCH_MAX,
  ) {}

  apply(item: DiscoveredHost): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    // let the results of this tick join the first batch
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length > 0) await this.writeBatch(this.take());
    this.running = null;
  }

  /** The oldest pending items, one per host, at most `max`. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const hosts = new Set<string>();
    for (let i = 0; i < this.pending.length && batch.length < this.max;) {
      const p = this.pending[i];
      if (hosts.has(p.item.hostId)) i++;
      else {
        hosts.add(p.item.hostId);
        batch.push(...this.pending.splice(i, 1));
      }
    }
    return batch;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    try {
      this.settle(batch, await this.write(batch.map((p) => p.item)));
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      // which host broke the batch is unknown: each alone, so the others still get written
      for (const p of batch) await this.writeBatch([p]);
    }
  }

  private settle(batch: Pending[], written: Set<string>): void {
    for (const p of batch) {
      if (written.has(p.item.hostId)) p.resolve();
      else p.reject(this.missing(p.item.hostId));
    }
  }
}
