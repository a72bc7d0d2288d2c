import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { SRIOV_TARGET_STATES } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';
import { Label } from '../hosts/host.model';

export const SriovTargetStateEnum = defineEnum(
  'SriovTargetState',
  SRIOV_TARGET_STATES,
  'PENDING: a host.configureSriov is queued or waiting; CONVERGED: the PF is as the policy says; BLOCKED: the VF count must change but VMs hold VFs; FAILED: the PF cannot take the policy, or the job failed',
);

@ObjectType({ description: 'Where one policy stands on one matched PF' })
export class SriovPolicyTarget {
  @Prop(ID) hostId!: string;
  @Prop(String) hostName!: string;
  @Prop(ID) nicId!: string;
  @Prop(String) nicName!: string;
  @Prop(SriovTargetStateEnum) state!: string;
  @Prop(String, { nullable: true }) reason!: string | null;
  @Prop(String, { array: true, description: 'BLOCKED: the VMs holding VFs of the PF' }) blockedBy!: string[];
  @Prop(ID, { nullable: true, description: 'The last host.configureSriov this policy started on the PF' }) operationId!: string | null;
  @Prop(GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType()
export class SriovPolicyStatus {
  @Prop(Int) hostsMatched!: number;
  @Prop(Int, { description: 'PFs this policy wins (a PF matched by several policies counts for the highest priority only)' })
  pfsMatched!: number;
  @Prop(Int) converged!: number;
  @Prop(Int) pending!: number;
  @Prop(Int) blocked!: number;
  @Prop(Int) failed!: number;
  @Prop(SriovPolicyTarget, { array: true }) targets!: SriovPolicyTarget[];
}

@ObjectType({ description: 'A declarative SR-IOV VF pool: every PF the selector matches carries numVfs VFs with these default attributes' })
export class SriovPolicy {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(Int, { description: 'Where several policies match a PF, the highest priority wins (then the smallest name)' }) priority!: number;
  @Prop(String, { nullable: true, description: 'Glob over host names; null = every host' }) hostNamePattern!: string | null;
  @Prop(Label, { array: true, description: 'Every label must be on the host' }) hostLabels!: Label[];
  @Prop(String, { nullable: true, description: 'Glob over PF names; null = any SR-IOV capable PF' }) pfNamePattern!: string | null;
  @Prop(String, { nullable: true }) driver!: string | null;
  @Prop(String, { nullable: true, description: 'PCI vendor id, 4 hex digits' }) vendorId!: string | null;
  @Prop(String, { nullable: true, description: 'PCI device id, 4 hex digits' }) deviceId!: string | null;
  @Prop(Int) numVfs!: number;
  @Prop(Boolean) spoofchk!: boolean;
  @Prop(Boolean) trust!: boolean;
  @Prop(String, { description: 'auto, enable or disable' }) linkState!: string;
  @Prop(Int, { description: 'Mbit/s, 0 = unlimited' }) maxTxRateMbps!: number;
  @Prop(SriovPolicyStatus) status!: SriovPolicyStatus;
  @Prop(GraphQLISODateTime) createdAt!: Date;
  @Prop(GraphQLISODateTime) updatedAt!: Date;
}

@InputType()
export class CreateSriovPolicyInput {
  @Prop(String, { example: 'pool-10g' }) name!: string;
  @Prop(Int, { optional: true, defaultValue: 0 }) priority?: number;
  @Prop(String, { nullable: true, example: 'hv-*' }) hostNamePattern?: string | null;
  @Prop(Label, { array: true, optional: true }) hostLabels?: Label[];
  @Prop(String, { nullable: true, example: 'ens1f*' }) pfNamePattern?: string | null;
  @Prop(String, { nullable: true, example: 'ixgbe' }) driver?: string | null;
  @Prop(String, { nullable: true, example: '8086' }) vendorId?: string | null;
  @Prop(String, { nullable: true, example: '10fb' }) deviceId?: string | null;
  @Prop(Int, { example: 16 }) numVfs!: number;
  @Prop(Boolean, { optional: true, defaultValue: true }) spoofchk?: boolean;
  @Prop(Boolean, { optional: true, defaultValue: false }) trust?: boolean;
  @Prop(String, { optional: true, defaultValue: 'auto', description: 'auto, enable or disable' }) linkState?: string;
  @Prop(Int, { optional: true, defaultValue: 0 }) maxTxRateMbps?: number;
}

@InputType({ description: 'Fields to change; null clears a selector field' })
export class UpdateSriovPolicyInput {
  @Prop(Int, { optional: true }) priority?: number;
  @Prop(String, { nullable: true }) hostNamePattern?: string | null;
  @Prop(Label, { array: true, optional: true }) hostLabels?: Label[];
  @Prop(String, { nullable: true }) pfNamePattern?: string | null;
  @Prop(String, { nullable: true }) driver?: string | null;
  @Prop(String, { nullable: true }) vendorId?: string | null;
  @Prop(String, { nullable: true }) deviceId?: string | null;
  @Prop(Int, { optional: true }) numVfs?: number;
  @Prop(Boolean, { optional: true }) spoofchk?: boolean;
  @Prop(Boolean, { optional: true }) trust?: boolean;
  @Prop(String, { optional: true, description: 'auto, enable or disable' }) linkState?: string;
  @Prop(Int, { optional: true }) maxTxRateMbps?: number;
}
