import { Module } from '@nestjs/common';
import { HostController } from './host.controller';
import { HostResolver } from './host.resolver';
import { HostService } from './host.service';

@Module({ controllers: [HostController], providers: [HostService, HostResolver], exports: [HostService] })
export class HostsModule {}
