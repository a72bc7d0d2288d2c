import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { MACVTAP_MODES, NATIVE_VLAN_MODES, NETWORK_KINDS, VLAN_PROTOCOLS } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';

export const NetworkKindEnum = defineEnum('NetworkKind', NETWORK_KINDS, 'What a guest interface attaches to on the host');
export const MacvtapModeEnum = defineEnum('MacvtapMode', MACVTAP_MODES);
export const VlanProtocolEnum = defineEnum(
  'VlanProtocol',
  VLAN_PROTOCOLS,
  "The VLAN tag's ethertype: DOT1Q (802.1Q) or DOT1AD (802.1ad, QinQ)",
);
export const NativeVlanModeEnum = defineEnum('NativeVlanMode', NATIVE_VLAN_MODES, "How a trunk's native VLAN reaches the guest");

@ObjectType({ description: 'A NIC that carries a network on one host' })
export class NetworkMapping {
  @Prop(ID) hostId!: string;
  @Prop(String) hostName!: string;
  @Prop(ID) nicId!: string;
  @Prop(String) nicName!: string;
}

@ObjectType()
export class Network {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(NetworkKindEnum) kind!: string;
  @Prop(String, { nullable: true, description: 'Linux or OVS bridge name' }) bridge!: string | null;
  @Prop(String, { nullable: true, description: 'Physical network label (SR-IOV)' }) physnet!: string | null;
  @Prop(Int, { nullable: true }) vlan!: number | null;
  @Prop(MacvtapModeEnum, { nullable: true }) macvtapMode!: string | null;
  @Prop(Int, { nullable: true, description: "MTU of every interface on the network (jumbo frames); null = the host's default" }) mtu!:
    number | null;
  @Prop(VlanProtocolEnum, { description: "The ethertype of vlan's tag" }) vlanProtocol!: string;
  @Prop(Int, { array: true, description: 'A VLAN trunk (ascending); empty = not a trunk, vlan is then the access VLAN' })
  trunkVlans!: number[];
  @Prop(Int, { nullable: true, description: "The trunk's native VLAN" }) nativeVlan!: number | null;
  @Prop(NativeVlanModeEnum) nativeVlanMode!: string;
  @Prop(NetworkMapping, { array: true }) mappings!: NetworkMapping[];
  @Prop(GraphQLISODateTime) createdAt!: Date;
}

@InputType()
export class CreateNetworkInput {
  @Prop(String, { example: 'tenant-a' }) name!: string;
  @Prop(NetworkKindEnum) kind!: string;
  @Prop(String, { nullable: true, example: 'br0' }) bridge?: string | null;
  @Prop(String, { nullable: true }) physnet?: string | null;
  @Prop(Int, { nullable: true, example: 100 }) vlan?: number | null;
  @Prop(MacvtapModeEnum, { nullable: true }) macvtapMode?: string | null;
  @Prop(Int, { nullable: true, example: 9000, description: '68-65535; the NICs carrying the network must take it (their maxmtu)' })
  mtu?: number | null;
  @Prop(VlanProtocolEnum, { nullable: true, description: 'DOT1AD (QinQ) needs a vlan; only VFs whose PF driver takes it carry it' })
  vlanProtocol?: string | null;
  @Prop(Int, {
    array: true,
    nullable: true,
    example: [100, 200],
    description: 'A VLAN trunk instead of an access vlan: 1-4094, distinct, at most 128; only Open vSwitch ports carry it',
  })
  trunkVlans?: number[] | null;
  @Prop(Int, { nullable: true, example: 300, description: "The trunk's native VLAN (1-4094); needs trunkVlans" }) nativeVlan?:
    number | null;
  @Prop(NativeVlanModeEnum, { nullable: true, description: 'UNTAGGED (default) or TAGGED; needs trunkVlans' }) nativeVlanMode?:
    string | null;
}

@InputType()
export class UpdateNetworkInput {
  @Prop(String, { description: 'Network name' }) network!: string;
  @Prop(Int, {
    nullable: true,
    example: 9000,
    description:
      "New MTU (null = the host's default); refused (field mtu) above a carrying NIC's maxmtu. Interfaces placed before keep theirs",
  })
  mtu!: number | null;
}

@InputType()
export class NetworkPatchInput {
  @Prop(Int, { nullable: true, example: 9000, description: "New MTU (null = the host's default)" }) mtu!: number | null;
}

@InputType()
export class MapNetworkToNicInput {
  @Prop(String, { description: 'Network name' }) network!: string;
  @Prop(String, { description: 'Host name' }) host!: string;
  @Prop(String, { description: 'NIC (PF) interface name on that host', example: 'ens1f0' }) nic!: string;
}

@InputType()
export class NicRefInput {
  @Prop(String) host!: string;
  @Prop(String) nic!: string;
}
