import { Int, ObjectType } from '@nestjs/graphql';
import { GUEST_NEEDS, type HostCapabilityKey } from '@netpin/contracts';
import { Prop } from '../common/prop';
import { NetworkKindEnum } from '../networks/network.model';
import { DatapathEnum } from './plan-view.model';

@ObjectType({ description: 'What netpin knows about one datapath (its module in @netpin/contracts datapaths)' })
export class DatapathInfo {
  @Prop(DatapathEnum) datapath!: string;
  @Prop(Int, { description: 'AUTO preference: higher is faster' }) rank!: number;
  @Prop(Boolean, { description: 'AUTO may choose it; otherwise only when asked for by name' }) auto!: boolean;
  @Prop(String) label!: string;
  @Prop(String) help!: string;
  @Prop(String, { array: true, description: 'Spellings the CLI accepts in --net <network>:<datapath>' }) cliAliases!: string[];
  @Prop(NetworkKindEnum, { array: true, description: 'Network kinds that can carry it' }) networkKinds!: string[];
  @Prop(String, { array: true, description: `Guest drivers it needs: ${GUEST_NEEDS.join(', ')}` }) guestNeeds!: string[];
  @Prop(String, { array: true, description: 'Host capabilities (discovery) it needs' }) hostCapabilities!: HostCapabilityKey[];
  @Prop(String, { description: 'NATIVE, FAILOVER (live migration only with a virtio failover backup), or COLD_ONLY (never live)' })
  liveMigration!: string;
}
