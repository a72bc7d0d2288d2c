import type { FleetSnapshot } from '@netpin/contracts';
import { expandFleet } from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { loadFleet } from './fleet-loader';

export { loadFleet } from './fleet-loader';

/**
 * The inventory as the placement engine's fleet snapshot, in object form (tests, tools).
 * The API places against SnapshotCache, which keeps the fleet in columns (loadFleet).
 */
export class SnapshotRepository {
  constructor(private readonly db: Db) {}

  load(opts: { hostIds?: string[] } = {}): Promise<FleetSnapshot> {
    return loadSnapshot(this.db, opts);
  }
}

/** The fleet as FleetSnapshot objects (every CPU and VF an object: for small fleets and tests). */
export async function loadSnapshot(db: Db | Prisma.TransactionClient, opts: { hostIds?: string[] } = {}): Promise<FleetSnapshot> {
  return expandFleet(await loadFleet(db, opts));
}
