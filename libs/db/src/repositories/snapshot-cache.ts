import type { FleetSnapshot } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { loadSnapshot } from './snapshot.repository';

type Client = Db | Prisma.TransactionClient;

export interface GenerationSnapshot {
  generation: bigint;
  snapshot: FleetSnapshot;
}

/**
 * The fleet snapshot an API process places against, kept in memory while it is exact.
 * Database triggers bump PlacementState.generation in every transaction that changes what
 * placement sees (migration 20261126063000); a snapshot is reused only while the generation
 * it was read at is still current, so a hit is as exact as a fresh read and a miss costs
 * one full read. Placement itself runs with the PlacementState row locked (`locked`), which
 * serialises it with every such writer.
 */
export class SnapshotCache {
  private cached: GenerationSnapshot | null = null;
  private loading: Promise<GenerationSnapshot> | null = null;
  hits = 0;
  misses = 0;

  constructor(private readonly db: Db) {}

  private async generation(client: Client, lock: boolean): Promise<bigint> {
    const rows = lock
      ? await client.$queryRaw<{ generation: bigint }[]>`SELECT "generation" FROM "PlacementState" WHERE "id" = 1 FOR UPDATE`
      : await client.$queryRaw<{ generation: bigint }[]>`SELECT "generation" FROM "PlacementState" WHERE "id" = 1`;
    if (!rows[0]) throw new Error('PlacementState row missing: run the migrations');
    return BigInt(rows[0].generation);
  }

  /** A current snapshot without taking the lock (previews, the quick check before placing). */
  async current(): Promise<FleetSnapshot> {
    const g = await this.generation(this.db, false);
    if (this.cached && this.cached.generation === g) {
      this.hits++;
      return this.cached.snapshot;
    }
    this.misses++;
    // the generation is read before the rows: the rows are at least that new, never older
    this.loading ??= loadSnapshot(this.db)
      .then((snapshot) => {
        this.remember({ generation: g, snapshot });
        return { generation: g, snapshot };
      })
      .finally(() => {
        this.loading = null;
      });
    return (await this.loading).snapshot;
  }

  /** Inside a transaction: lock PlacementState until commit and return the exact snapshot. */
  async locked(tx: Prisma.TransactionClient): Promise<GenerationSnapshot> {
    const g = await this.generation(tx, true);
    if (this.cached && this.cached.generation === g) {
      this.hits++;
      return this.cached;
    }
    this.misses++;
    return { generation: g, snapshot: await loadSnapshot(tx) };
  }

  /** The generation the transaction's own writes brought it to (call after writing). */
  generationAfterWrites(tx: Prisma.TransactionClient): Promise<bigint> {
    return this.generation(tx, false);
  }

  /** After commit: the snapshot at `generation` is known without reading it back. */
  remember(next: GenerationSnapshot): void {
    if (!this.cached || next.generation >= this.cached.generation) this.cached = next;
  }
}
