import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { MigrateVmInput, MigrationPreview } from './migration.model';
import { MigrationService } from './migration.service';

@Resolver()
@Allow('VIEWER')
export class MigrationResolver {
  constructor(private readonly migration: MigrationService) {}

  @Query(() => MigrationPreview, { description: 'Where migrateVm would take the VM and why, or why it cannot move; changes nothing' })
  previewMigration(
    @Args('vmId', { type: () => ID }) vmId: string,
    @Args('input', { type: () => MigrateVmInput, nullable: true }) input?: MigrateVmInput,
  ): Promise<MigrationPreview> {
    return this.migration.previewMigration(vmId, input);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, {
    description:
      "Move a RUNNING VM to another host (targetHost, else placement's choice): LIVE keeps it running, COLD stops, moves and starts it. The operation's steps: reserve, unplug|stop, transfer, plug|start, verify, release",
  })
  migrateVm(
    @Args('id', { type: () => ID }) id: string,
    @RequestId() requestId: string,
    @Args('input', { type: () => MigrateVmInput, nullable: true }) input?: MigrateVmInput,
  ): Promise<Operation> {
    return this.migration.migrateVm(id, input, requestId);
  }
}
