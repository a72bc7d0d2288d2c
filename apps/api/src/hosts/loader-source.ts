import { Inject, Injectable } from '@nestjs/common';
import { HostRepository, LookupRepository, type ApplyTimes, type NamedKind, type NicRecord, type NumaNodeRecord } from '@netpin/db';
import type { LoaderSource } from '../common/loaders';
import { TopologyService, type PlacementContext } from './topology.service';

/** What the GraphQL loaders read through (common/loaders.ts), one batch per kind per request. */
@Injectable()
export class GraphLoaderSource implements LoaderSource {
  constructor(
    @Inject(HostRepository) private readonly hosts: HostRepository,
    @Inject(LookupRepository) private readonly lookups: LookupRepository,
    private readonly topology: TopologyService,
  ) {}

  numaNodesByHostIds(ids: readonly string[]): Promise<Map<string, NumaNodeRecord[]>> {
    return this.hosts.numaNodesByHostIds(ids);
  }

  nicsByHostIds(ids: readonly string[]): Promise<Map<string, NicRecord[]>> {
    return this.hosts.nicsByHostIds(ids);
  }

  placementContexts(ids: readonly string[]): Promise<Map<string, PlacementContext>> {
    return this.topology.contexts(ids);
  }

  names(kind: NamedKind, ids: readonly string[]): Promise<Map<string, string>> {
    return this.lookups.names(kind, ids);
  }

  applyTimes(vmIds: readonly string[]): Promise<Map<string, ApplyTimes>> {
    return this.lookups.applyTimes(vmIds);
  }
}
