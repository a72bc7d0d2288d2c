import type { FleetSnapshot, PlacementPlan } from '@netpin/contracts';
import { PlacementIndex, type PlacementOptions } from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { loadSnapshot } from './snapshot.repository';

type Client = Db | Prisma.TransactionClient;

/** The placement engine's working index over the fleet as it was at `generation`. */
export interface PlacementView {
  readonly generation: bigint;
  readonly index: PlacementIndex;
  /** The snapshot the index was built from (the index holds every change since). */
  readonly base: FleetSnapshot;
}

/**
 * The fleet an API process places against, kept in memory as a warm PlacementIndex while
 * it is exact. Database triggers bump PlacementState.generation in every transaction that
 * changes what placement sees (migration 20261126063000); the index is used only while
 * the generation it stands for is still current, so using it is as exact as a fresh read.
 * A create made by this process is applied to the index after its commit (no read, no
 * rebuild); any other change costs one full read. Placement itself runs with the
 * PlacementState row locked (`locked`), which serialises it with every such writer.
 */
export class SnapshotCache {
  private view: PlacementView | null = null;
  private loading: Promise<PlacementView> | null = null;
  hits = 0;
  misses = 0;

  constructor(
    private readonly db: Db,
    private readonly options: Partial<PlacementOptions> = {},
  ) {}

  private async generation(client: Client, lock: boolean): Promise<bigint> {
    const rows = lock
      ? await client.$queryRaw<{ generation: bigint }[]>`SELECT "generation" FROM "PlacementState" WHERE "id" = 1 FOR UPDATE`
      : await client.$queryRaw<{ generation: bigint }[]>`SELECT "generation" FROM "PlacementState" WHERE "id" = 1`;
    if (!rows[0]) throw new Error('PlacementState row missing: run the migrations');
    return BigInt(rows[0].generation);
  }

  private build(generation: bigint, base: FleetSnapshot): PlacementView {
    return { generation, base, index: new PlacementIndex(base, this.options) };
  }

  /** A current view without taking the lock (previews, the quick check before placing). */
  async read(): Promise<PlacementView> {
    const g = await this.generation(this.db, false);
    if (this.view && this.view.generation === g) {
      this.hits++;
      return this.view;
    }
    this.misses++;
    // the generation is read before the rows: the rows are at least that new, never older
    this.loading ??= loadSnapshot(this.db)
      .then((s) => this.adopt(this.build(g, s)))
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /** The current fleet as a snapshot (materialised from the index; tests and tools). */
  async current(): Promise<FleetSnapshot> {
    const v = await this.read();
    return v.index.toSnapshot(v.base);
  }

  /**
   * Inside a transaction: lock PlacementState until commit and return the exact view. A
   * miss builds a private view that becomes the process's only once the caller commits.
   */
  async locked(tx: Prisma.TransactionClient): Promise<PlacementView> {
    const g = await this.generation(tx, true);
    if (this.view && this.view.generation === g) {
      this.hits++;
      return this.view;
    }
    this.misses++;
    return this.build(g, await loadSnapshot(tx));
  }

  /** The generation the transaction's own writes brought it to (call after writing). */
  generationAfterWrites(tx: Prisma.TransactionClient): Promise<bigint> {
    return this.generation(tx, false);
  }

  /**
   * After commit: `view` plus `plan` is the fleet at `generation`, known without reading
   * it back. The index is changed in place, so a view handed out earlier moves on too;
   * callers use a view synchronously and never keep it across an await.
   */
  committed(view: PlacementView, plan: PlacementPlan, generation: bigint): void {
    try {
      view.index.apply(plan);
    } catch {
      // the index disagrees with what was committed: read the fleet again next time
      if (this.view === view) this.view = null;
      return;
    }
    this.adopt({ generation, base: view.base, index: view.index });
  }

  private adopt(next: PlacementView): PlacementView {
    if (!this.view || next.generation >= this.view.generation) this.view = next;
    return next;
  }
}
