import { GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../common/page';
import { OPERATION_STATES } from '@netpin/contracts';
import { defineEnum, Prop } from '../common/prop';

export const OperationStateEnum = defineEnum('OperationState', OPERATION_STATES);

@ObjectType()
export class OperationStep {
  @Prop(String) name!: string;
  @Prop(String) state!: string;
  @Prop(String, { nullable: true }) startedAt!: string | null;
  @Prop(String, { nullable: true }) finishedAt!: string | null;
}

@ObjectType({ description: 'An asynchronous job: discovery, VM create/delete, verify, teardown' })
export class Operation {
  @Prop(ID) id!: string;
  @Prop(String, { description: 'host.discover, vm.create, vm.delete, vm.verify, vm.teardown, vm.start, vm.stop, vm.reboot, ...' })
  kind!: string;
  @Prop(String) targetType!: string;
  @Prop(ID) targetId!: string;
  @Prop(OperationStateEnum) state!: string;
  @Prop(Int, { description: '0-100' }) progress!: number;
  @Prop(String, { nullable: true }) step!: string | null;
  @Prop(OperationStep, { array: true }) steps!: OperationStep[];
  @Prop(String, { nullable: true }) errorCode!: string | null;
  @Prop(String, { nullable: true }) errorMessage!: string | null;
  @Prop(String, { nullable: true, description: "The failing host command's stderr" }) errorStderr!: string | null;
  @Prop(ID, { nullable: true }) parentId!: string | null;
  @Prop(String, {
    nullable: true,
    description: 'Request id of the API call that started it (the X-Request-Id response header); agent log lines about its jobs carry it',
  })
  requestId!: string | null;
  @Prop(String, { nullable: true, description: 'Job result as JSON (facts, verify diff, ...)' }) resultJson!: string | null;
  @Prop(GraphQLISODateTime) createdAt!: Date;
  @Prop(GraphQLISODateTime, { nullable: true }) startedAt!: Date | null;
  @Prop(GraphQLISODateTime, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType()
export class OperationConnection {
  @Prop(Operation, { array: true }) nodes!: Operation[];
  @Prop(PageInfo) pageInfo!: PageInfo;
  /** Always counted on REST; on GraphQL only when selected (null otherwise, never sent). */
  @Prop(Int) totalCount!: number | null;
}
