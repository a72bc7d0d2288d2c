import { Inject, Injectable } from '@nestjs/common';
import {
  BadUserInputError,
  createNetworkInputSchema,
  mapNetworkInputSchema,
  parseInput,
  resourceNameSchema,
  updateNetworkInputSchema,
} from '@netpin/contracts';
import { isUuid, NetworkRepository } from '@netpin/db';
import type { CreateNetworkInput, MapNetworkToNicInput, Network, UpdateNetworkInput } from './network.model';

@Injectable()
export class NetworkService {
  constructor(@Inject(NetworkRepository) private readonly networks: NetworkRepository) {}

  list(): Promise<Network[]> {
    return this.networks.list();
  }

  get(ref: { id?: string | null; name?: string | null }): Promise<Network> {
    if (!ref.id && !ref.name) throw BadUserInputError.of('id', 'give the network id or name');
    return this.networks.get(ref);
  }

  getByRef(ref: string): Promise<Network> {
    return this.networks.get(isUuid(ref) ? { id: ref } : { name: parseInput(resourceNameSchema, ref, 'network') });
  }

  create(input: CreateNetworkInput): Promise<Network> {
    return this.networks.create(parseInput(createNetworkInputSchema, input));
  }

  update(input: UpdateNetworkInput): Promise<Network> {
    return this.networks.update(parseInput(updateNetworkInputSchema, input));
  }

  remove(id: string): Promise<Network> {
    return this.networks.remove(id);
  }

  map(input: MapNetworkToNicInput): Promise<Network> {
    return this.networks.mapToNic(parseInput(mapNetworkInputSchema, input));
  }

  unmap(input: MapNetworkToNicInput): Promise<Network> {
    return this.networks.unmapNic(parseInput(mapNetworkInputSchema, input));
  }
}
