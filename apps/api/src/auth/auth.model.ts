import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ROLES } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';

export const RoleEnum = defineEnum(
  'Role',
  ROLES,
  'viewer reads; operator creates and deletes VMs and runs discovery; admin manages hosts, networks and tokens',
);

@ObjectType()
export class ApiToken {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(RoleEnum) role!: string;
  @Prop(String, { description: 'Public part of the token, to recognise it' }) prefix!: string;
  @Prop(String, { nullable: true }) createdBy!: string | null;
  @Prop(GraphQLISODateTime) createdAt!: Date;
  @Prop(GraphQLISODateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Prop(GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiToken {
  @Prop(String, { description: 'The secret token. Shown once: store it now.' }) token!: string;
  @Prop(ApiToken) apiToken!: ApiToken;
}

@InputType()
export class CreateApiTokenInput {
  @Prop(String, { example: 'ci-pipeline' }) name!: string;
  @Prop(RoleEnum) role!: string;
}

@ObjectType()
export class AuditEvent {
  @Prop(ID) id!: string;
  @Prop(GraphQLISODateTime) at!: Date;
  @Prop(ID, { nullable: true }) tokenId!: string | null;
  @Prop(String) actor!: string;
  @Prop(String) action!: string;
  @Prop(String) targetType!: string;
  @Prop(String, { nullable: true }) targetId!: string | null;
  @Prop(String, {
    nullable: true,
    description:
      'What targetId is: vm, host, network, token, sshSecret or sriovPolicy (an operation counts as its VM or host); null when nothing holds that id any more',
  })
  targetKind!: string | null;
  @Prop(String, { nullable: true, description: "Name of what targetId is (an operation's: its VM's or host's)" }) targetName!:
    string | null;
  @Prop(String, { description: 'Input summary as JSON, secrets removed' }) inputJson!: string;
  @Prop(String, { description: '"ok" or the error code' }) result!: string;
  @Prop(String, { nullable: true }) requestId!: string | null;
  @Prop(Int, { description: 'Requests this event stands for: refusals (action "refused") are one event per caller, code and minute' })
  count!: number;
  @Prop(String, { nullable: true, description: 'Client address (refusals)' }) address!: string | null;
}
