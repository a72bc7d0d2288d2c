import { ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { MIGRATION_STRATEGIES } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';
import { RejectionView } from '../placement/placement.model';
import { PlanView } from '../placement/plan-view.model';

export const MigrationStrategyEnum = defineEnum('MigrationStrategy', MIGRATION_STRATEGIES);

@InputType({ description: 'Where and how to move a VM' })
export class MigrateVmInput {
  @Prop(String, { optional: true, description: "Target host (id or name); absent: placement chooses one (never the VM's own host)" })
  targetHost?: string | null;
  @Prop(MigrationStrategyEnum, {
    optional: true,
    defaultValue: 'LIVE',
    description: 'LIVE: the guest keeps running (an SR-IOV VF only with its failover partner); COLD: stopped, moved, started',
  })
  strategy?: string | null;
}

@ObjectType({
  description: "Why a VM cannot move the way asked: a code (MIGRATION_REFUSALS or a datapath's) and the interface it concerns",
})
export class MigrationRefusal {
  @Prop(String) code!: string;
  @Prop(String) message!: string;
  @Prop(Int, { nullable: true, description: 'The VM interface (index) the refusal is about' }) interfaceIndex!: number | null;
}

@ObjectType()
export class HostRef {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
}

@ObjectType({ description: 'Where a migration would take a VM and why, or why nowhere; nothing is changed or reserved' })
export class MigrationPreview {
  @Prop(ID) vmId!: string;
  @Prop(MigrationStrategyEnum) strategy!: string;
  @Prop(Boolean, { description: 'migrateVm with this input would start now' }) possible!: boolean;
  @Prop(HostRef, { nullable: true }) sourceHost!: HostRef | null;
  @Prop(HostRef, { nullable: true }) targetHost!: HostRef | null;
  @Prop(PlanView, { nullable: true, description: "The target's plan: CPUs, NUMA node, datapath and NIC per interface" })
  plan!: PlanView | null;
  @Prop(RejectionView, { nullable: true, description: 'Why no other host fits' }) rejection!: RejectionView | null;
  @Prop(MigrationRefusal, { array: true }) refusals!: MigrationRefusal[];
  @Prop(String, { array: true, description: 'The steps the operation would report, in order' }) steps!: string[];
}
