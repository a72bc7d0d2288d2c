import type { ApplyTimes, NamedKind, NicRecord, NumaNodeRecord } from '@netpin/db';
import DataLoader from 'dataloader';
import { assembleTopology, type HostTopology, type PlacementContext } from '../hosts/topology.service';

export interface LoaderSource {
  numaNodesByHostIds(ids: readonly string[]): Promise<Map<string, NumaNodeRecord[]>>;
  nicsByHostIds(ids: readonly string[]): Promise<Map<string, NicRecord[]>>;
  placementContexts(ids: readonly string[]): Promise<Map<string, PlacementContext>>;
  names(kind: NamedKind, ids: readonly string[]): Promise<Map<string, string>>;
  applyTimes(vmIds: readonly string[]): Promise<Map<string, ApplyTimes>>;
}

function batched<V>(load: (ids: readonly string[]) => Promise<Map<string, V>>, missing: V): DataLoader<string, V> {
  return new DataLoader(async (ids) => {
    const m = await load(ids);
    return ids.map((id) => m.get(id) ?? missing);
  });
}

/** Per-request batch loaders: one nested GraphQL request costs a fixed number of queries. */
export class Loaders {
  readonly numaNodes: DataLoader<string, NumaNodeRecord[]>;
  readonly nics: DataLoader<string, NicRecord[]>;
  /** Inventory overlaid with the placed VMs' plans: only fields that need plans load it */
  readonly topology: DataLoader<string, HostTopology | null>;
  readonly names: Record<NamedKind, DataLoader<string, string | null>>;
  readonly applyTimes: DataLoader<string, ApplyTimes>;

  constructor(source: LoaderSource) {
    this.numaNodes = batched((ids) => source.numaNodesByHostIds(ids), []);
    this.nics = batched((ids) => source.nicsByHostIds(ids), []);
    // built on the inventory the numaNodes and nics loaders already read in this request
    this.topology = batched<HostTopology | null>(async (ids) => {
      const [nodes, nics, contexts] = await Promise.all([
        this.numaNodes.loadMany(ids),
        this.nics.loadMany(ids),
        source.placementContexts(ids),
      ]);
      const out = new Map<string, HostTopology>();
      ids.forEach((id, i) => {
        const n = nodes[i];
        const c = nics[i];
        const ctx = contexts.get(id);
        if (ctx && Array.isArray(n) && Array.isArray(c)) out.set(id, assembleTopology(n, c, ctx));
      });
      return out;
    }, null);
    const names = (kind: NamedKind) => batched<string | null>((ids) => source.names(kind, ids), null);
    this.names = { vm: names('vm'), host: names('host'), network: names('network') };
    this.applyTimes = batched((ids) => source.applyTimes(ids), { appliedAt: null, verifiedAt: null });
  }

  /**
   * A host this request has just created: it has no NUMA nodes, NICs or VMs yet (nothing can
   * reference a row before it exists), so its inventory fields are answered without reading
   * them (registerHost answered the full host view with eight inventory statements, issue 16).
   */
  primeNewHost(hostId: string, lastDiscoveredAt: Date | null): void {
    this.numaNodes.prime(hostId, []);
    this.nics.prime(hostId, []);
    this.topology.prime(hostId, assembleTopology([], [], { lastDiscoveredAt, vms: [] }));
  }
}

export interface GqlContext {
  req: { id?: string; headers: Record<string, string | string[] | undefined> };
  loaders: Loaders;
}
