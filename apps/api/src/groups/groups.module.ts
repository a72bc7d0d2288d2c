import { Module } from '@nestjs/common';
import { GroupController } from './group.controller';
import { GroupResolver } from './group.resolver';
import { GroupService } from './group.service';

@Module({ controllers: [GroupController], providers: [GroupService, GroupResolver] })
export class GroupsModule {}
