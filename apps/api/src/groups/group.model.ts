import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { GROUP_ENFORCEMENTS, GROUP_POLICIES, MAX_GROUP_MEMBERS_PER_HOST } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';

export const GroupPolicyEnum = defineEnum(
  'GroupPolicy',
  GROUP_POLICIES,
  'Keep the members on one host (AFFINITY) or apart (ANTI_AFFINITY)',
);
export const GroupEnforcementEnum = defineEnum(
  'GroupEnforcement',
  GROUP_ENFORCEMENTS,
  'HARD: hosts breaking the rule are filtered out (reason codes); SOFT: they are only weighed down',
);

@ObjectType({ description: "An affinity group (as Nova's server groups): VMs name it at create" })
export class Group {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(GroupPolicyEnum) policy!: string;
  @Prop(GroupEnforcementEnum) enforcement!: string;
  @Prop(Int, { nullable: true, description: 'HARD ANTI_AFFINITY: members one host may hold' }) maxPerHost!: number | null;
  @Prop(Int, { description: 'VMs in the group that are not DELETED' }) members!: number;
  @Prop(GraphQLISODateTime) createdAt!: Date;
}

@InputType()
export class CreateGroupInput {
  @Prop(String, { example: 'db-replicas' }) name!: string;
  @Prop(GroupPolicyEnum) policy!: string;
  @Prop(GroupEnforcementEnum, { optional: true, defaultValue: 'HARD' }) enforcement?: string;
  @Prop(Int, {
    nullable: true,
    description: `HARD ANTI_AFFINITY only: members one host may hold (1-${MAX_GROUP_MEMBERS_PER_HOST}, default 1)`,
  })
  maxPerHost?: number | null;
}
