import { Inject, Injectable } from '@nestjs/common';
import { groupInputSchema, parseInput } from '@netpin/contracts';
import { GroupRepository } from '@netpin/db';
import type { CreateGroupInput, Group } from './group.model';

@Injectable()
export class GroupService {
  constructor(@Inject(GroupRepository) private readonly groups: GroupRepository) {}

  list(): Promise<Group[]> {
    return this.groups.list();
  }

  get(ref: string): Promise<Group> {
    return this.groups.get(ref);
  }

  create(input: CreateGroupInput): Promise<Group> {
    return this.groups.create(
      parseInput(groupInputSchema, {
        name: input?.name,
        policy: input?.policy,
        enforcement: input?.enforcement ?? undefined,
        maxPerHost: input?.maxPerHost ?? null,
      }),
    );
  }

  /** CONFLICT (details.reason GROUP_HAS_MEMBERS) while a VM that is not DELETED belongs to it. */
  remove(ref: string): Promise<Group> {
    return this.groups.remove(ref);
  }
}
