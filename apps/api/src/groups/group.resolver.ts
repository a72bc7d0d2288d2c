import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import { CreateGroupInput, Group } from './group.model';
import { GroupService } from './group.service';

@Resolver(() => Group)
@Allow('VIEWER')
export class GroupResolver {
  constructor(private readonly service: GroupService) {}

  @Query(() => [Group], { description: 'Affinity groups, by name' })
  groups(): Promise<Group[]> {
    return this.service.list();
  }

  @Query(() => Group)
  group(@Args('ref', { description: 'Group name or id' }) ref: string): Promise<Group> {
    return this.service.get(ref);
  }

  @Allow('OPERATOR')
  @Mutation(() => Group)
  createGroup(@Args('input') input: CreateGroupInput): Promise<Group> {
    return this.service.create(input);
  }

  @Allow('OPERATOR')
  @Mutation(() => Group, { description: 'Refused with CONFLICT (reason GROUP_HAS_MEMBERS) while VMs that are not DELETED belong to it' })
  deleteGroup(@Args('ref', { description: 'Group name or id' }) ref: string): Promise<Group> {
    return this.service.remove(ref);
  }
}
