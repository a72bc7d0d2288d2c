import type { PlacementPlan, FleetSnapshot } from '@netpin/contracts';
import { PlacementIndex, type PlacementOptions } from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { loadFleet } from './fleet-loader';

type Client = Db | Prisma.TransactionClient;

/** The placement engine's working index over the fleet as it was at `generation`. */
export interface PlacementView {
  readonly generation: bigint;
  /** Holds the fleet itself, in columns (there is no second copy). */
  readonly index: PlacementIndex;
}

interface State {
  generation: bigint;
  prunedThrough: bigint;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * The fleet an API process places against, kept in memory as a warm PlacementIndex while
 * it is exact. Triggers bump PlacementState.generation in every transaction that changes
 * what placement sees and record which hosts it touched (PlacementChange, migration
 * 20261204164307). The index is used while its generation is current; when it is behind,
 * only the hosts changed since are read again and swapped in (a full read when the change
 * was not local to hosts, or the change log was pruned past it). A create made by this
 * process is applied to the index after its commit, with no read at all. Placement itself
 * runs with the PlacementState row locked (`locked`), serialising it with every writer.
 */
export class SnapshotCache {
  private view: PlacementView | null = null;
  /** Refreshes run one at a time: each swaps hosts in, and an older read must not land last. */
  private chain: Promise<unknown> = Promise.resolve();
  private lastPrune = Date.now();
  hits = 0;
  misses = 0;
  fullReads = 0;

  constructor(
    private readonly db: Db,
    private readonly options: Partial<PlacementOptions> = {},
  ) {}

  private async state(client: Client, lock: boolean): Promise<State> {
    const rows = lock
      ? await client.$queryRaw<State[]>`SELECT "generation", "prunedThrough" FROM "PlacementState" WHERE "id" = 1 FOR UPDATE`
      : await client.$queryRaw<State[]>`SELECT "generation", "prunedThrough" FROM "PlacementState" WHERE "id" = 1`;
    if (!rows[0]) throw new Error('PlacementState row missing: run the migrations');
    return { generation: BigInt(rows[0].generation), prunedThrough: BigInt(rows[0].prunedThrough) };
  }

  /** A current view without taking the lock (previews, the quick check before placing). */
  async read(): Promise<PlacementView> {
    this.maybePrune();
    const s = await this.state(this.db, false);
    if (this.view?.generation === s.generation) {
      this.hits++;
      return this.view;
    }
    return this.catchUp(this.db, s);
  }

  /**
   * The view as this process last left it, with no read: current unless another writer moved
   * the fleet on since, which a write made at its generation finds out (createPlacedVmAt).
   */
  peek(): PlacementView | null {
    this.maybePrune();
    return this.view;
  }

  /** The current fleet as a snapshot (materialised from the index; tests and tools). */
  async current(): Promise<FleetSnapshot> {
    const v = await this.read();
    return v.index.toSnapshot();
  }

  /** Inside a transaction: lock PlacementState until commit and return the exact view. */
  async locked(tx: Prisma.TransactionClient): Promise<PlacementView> {
    const s = await this.state(tx, true);
    if (this.view?.generation === s.generation) {
      this.hits++;
      return this.view;
    }
    return this.catchUp(tx, s);
  }

  /** The generation the transaction's own writes brought it to (call after writing). */
  async generationAfterWrites(tx: Prisma.TransactionClient): Promise<bigint> {
    return (await this.state(tx, false)).generation;
  }

  /**
   * After commit: the view the plan was made on, plus the plan, is the fleet at
   * `generation` (the transaction held the lock: nothing else changed in between). The
   * index is changed in place; callers use a view synchronously and never keep it across
   * an await.
   */
  committed(view: PlacementView, plan: PlacementPlan, generation: bigint): void {
    if (this.view !== view) return; // refreshed meanwhile past this commit, or dropped: it reads it
    try {
      view.index.apply(plan);
      this.view = { generation, index: view.index };
    } catch {
      this.view = null; // the index disagrees with what was committed: read the fleet again
    }
  }

  /** Bring the view to at least `s.generation`; one at a time. */
  private catchUp(client: Client, s: State): Promise<PlacementView> {
    this.misses++;
    const run = this.chain.then(async () => {
      const v = this.view;
      if (v && v.generation >= s.generation) return v;
      const next = v && v.generation >= s.prunedThrough ? await this.changedHosts(client, v, s.generation) : null;
      return (this.view = next ?? (await this.fullRead(client, s.generation)));
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Swap in the hosts changed since the view; null when only a full read will do. */
  private async changedHosts(client: Client, v: PlacementView, generation: bigint): Promise<PlacementView | null> {
    const rows = await client.$queryRaw<{ hostId: string | null }[]>`
      SELECT DISTINCT "hostId"::text AS "hostId" FROM "PlacementChange" WHERE "generation" > ${v.generation} AND "generation" <= ${generation}`;
    if (rows.some((r) => r.hostId === null)) return null;
    const ids = rows.map((r) => r.hostId as string);
    // rows read after the generation are at least that new: labelling them with it is safe
    const fresh = ids.length ? await loadFleet(client, { hostIds: ids }) : null;
    if (fresh && !v.index.refreshHosts(fresh, ids)) return null;
    return { generation, index: v.index };
  }

  private async fullRead(client: Client, generation: bigint): Promise<PlacementView> {
    this.fullReads++;
    // the index takes the fleet over: it is not kept anywhere else
    return { generation, index: new PlacementIndex(await loadFleet(client), this.options) };
  }

  /** Change-log rows older than any useful cache go; a cache older than them reads everything. */
  private maybePrune(): void {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    void this.db.$executeRaw`
      WITH gone AS (DELETE FROM "PlacementChange" WHERE "at" < now() - interval '10 minutes' RETURNING "generation")
      UPDATE "PlacementState" SET "prunedThrough" = GREATEST("prunedThrough", (SELECT max("generation") FROM gone))
      WHERE "id" = 1 AND EXISTS (SELECT 1 FROM gone)`.catch(() => undefined);
  }
}
