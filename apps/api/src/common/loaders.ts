import type { NicRecord, NumaNodeRecord } from '@netpin/db';
import DataLoader from 'dataloader';

export interface LoaderSource {
  numaNodesByHostIds(ids: readonly string[]): Promise<Map<string, NumaNodeRecord[]>>;
  nicsByHostIds(ids: readonly string[]): Promise<Map<string, NicRecord[]>>;
}

/** Per-request batch loaders: one nested GraphQL request costs a fixed number of queries. */
export class Loaders {
  readonly numaNodes: DataLoader<string, NumaNodeRecord[]>;
  readonly nics: DataLoader<string, NicRecord[]>;

  constructor(source: LoaderSource) {
    this.numaNodes = new DataLoader(async (ids) => {
      const m = await source.numaNodesByHostIds(ids);
      return ids.map((id) => m.get(id) ?? []);
    });
    this.nics = new DataLoader(async (ids) => {
      const m = await source.nicsByHostIds(ids);
      return ids.map((id) => m.get(id) ?? []);
    });
  }
}

export interface GqlContext {
  req: { id?: string; headers: Record<string, string | string[] | undefined> };
  loaders: Loaders;
}
