import { Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { DATAPATH_REGISTRY, DATAPATHS, HUGEPAGE_SIZES, type Datapath } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';

export const DatapathEnum = defineEnum(
  'Datapath',
  DATAPATHS,
  'Guest NIC datapath, fastest first',
  Object.fromEntries(DATAPATHS.map((d) => [d, DATAPATH_REGISTRY[d].ui.help])) as Record<Datapath, string>,
);
export const HugepageSizeEnum = defineEnum('HugepageSize', HUGEPAGE_SIZES);

@ObjectType()
export class DatapathCostView {
  @Prop(DatapathEnum) datapath!: string;
  @Prop(String, { description: 'MANY (emulation), BATCHED_USERSPACE (virtio in QEMU), BATCHED_KERNEL (vhost), NONE (SR-IOV)' })
  exitsPerPacket!: string;
  @Prop(Int, { description: 'CPUs one flow keeps busy' }) cpusPerFlow!: number;
  @Prop(Float, { description: 'Relative cost per packet, SR-IOV = 1' }) relativeCost!: number;
}

@ObjectType()
export class VcpuPin {
  @Prop(Int) vcpu!: number;
  @Prop(Int, { array: true }) cpus!: number[];
}

@ObjectType()
export class PlanInterfaceView {
  @Prop(Int) index!: number;
  @Prop(String) networkName!: string;
  @Prop(DatapathEnum) datapath!: string;
  @Prop(String, { description: 'virtio, e1000, rtl8139, or vf: the passed-through VF itself' }) model!: string;
  @Prop(Int, { nullable: true, description: 'virtio queues; null for a VF, whose driver sets its queues' }) queues!: number | null;
  @Prop(String, { nullable: true }) nicName!: string | null;
  @Prop(Int, { nullable: true }) vfIndex!: number | null;
  @Prop(String, { nullable: true }) sourceDevice!: string | null;
  @Prop(String) mac!: string;
  @Prop(Int, { nullable: true }) vlan!: number | null;
  @Prop(String, { description: "vlan's ethertype: DOT1Q or DOT1AD" }) vlanProtocol!: string;
  @Prop(Int, { array: true, description: "The network's VLAN trunk the interface carries (empty: none)" }) trunkVlans!: number[];
  @Prop(Int, { nullable: true, description: "The trunk's native VLAN" }) nativeVlan!: number | null;
  @Prop(Int, { nullable: true }) numaNode!: number | null;
  @Prop(Boolean) numaLocal!: boolean;
  @Prop(Boolean, { description: 'A virtio failover backup is paired with the VF (libvirt teaming)' }) failover!: boolean;
  @Prop(Int, { description: "Mbit/s reserved from the NIC's speed (0 = none)" }) minBandwidthMbps!: number;
  @Prop(Int, { description: 'Transmit cap in Mbit/s (0 = none)' }) maxBandwidthMbps!: number;
  @Prop(Int, { nullable: true, description: "The network's MTU; null = the host's default" }) mtu!: number | null;
  @Prop(String, { nullable: true, description: 'vhost-user: the OVS dpdkvhostuserclient port netpin creates' }) vhostUserPort!:
    string | null;
  @Prop(String, { nullable: true, description: 'vhost-user: the socket QEMU serves and the port connects to' })
  vhostUserSocket!: string | null;
  @Prop(String, { nullable: true, description: 'vDPA: the vdpa device netpin creates on the VF (vdpa dev add name …)' })
  vdpaDevice!: string | null;
  @Prop(String, { nullable: true, description: 'vDPA: the management device it is made on (pci/<VF address>)' })
  vdpaMgmtdev!: string | null;
  @Prop(DatapathCostView) cost!: DatapathCostView;
}

@ObjectType({ description: "PMD slots (one per vhost-user queue) a VM takes on a NUMA node's OVS-DPDK PMD cores" })
export class PmdQueuesView {
  @Prop(Int) node!: number;
  @Prop(Int) queues!: number;
}

@ObjectType()
export class IrqPin {
  @Prop(Int) irq!: number;
  @Prop(String) nicName!: string;
  @Prop(Int) queue!: number;
  @Prop(Int, { array: true }) cpus!: number[];
}

@ObjectType()
export class RpsMask {
  @Prop(String) nicName!: string;
  @Prop(Int) rxQueue!: number;
  @Prop(Int, { array: true }) cpus!: number[];
}

@ObjectType()
export class ScoreTerm {
  @Prop(String) weigher!: string;
  @Prop(Float) value!: number;
  @Prop(Float) weight!: number;
  @Prop(Float) weighted!: number;
}

@ObjectType()
export class PlanScoreView {
  @Prop(Float) total!: number;
  @Prop(ScoreTerm, { array: true }) breakdown!: ScoreTerm[];
}

@ObjectType({ description: 'Where and how a VM would run' })
export class PlanView {
  @Prop(ID) hostId!: string;
  @Prop(String) hostName!: string;
  @Prop(Int, { array: true, description: 'NUMA nodes used; the first is the home node' }) numaNodes!: number[];
  @Prop(VcpuPin, { array: true }) vcpuPins!: VcpuPin[];
  @Prop(Int, { array: true }) emulatorCpus!: number[];
  @Prop(Int, { array: true }) vhostCpus!: number[];
  @Prop(Int, { array: true }) isolatedSiblings!: number[];
  @Prop(String) memoryMode!: string;
  @Prop(HugepageSizeEnum) hugepages!: string;
  @Prop(PlanInterfaceView, { array: true }) interfaces!: PlanInterfaceView[];
  @Prop(IrqPin, { array: true }) irqAffinity!: IrqPin[];
  @Prop(RpsMask, { array: true }) rps!: RpsMask[];
  @Prop(PmdQueuesView, { array: true }) pmdQueues!: PmdQueuesView[];
  @Prop(PlanScoreView) score!: PlanScoreView;
  @Prop(String, { array: true }) penalties!: string[];
}
