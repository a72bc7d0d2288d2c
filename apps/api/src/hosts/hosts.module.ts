import { Module } from '@nestjs/common';
import { DiscoveryService } from './discovery.service';
import { HostController } from './host.controller';
import { HostResolver } from './host.resolver';
import { HostService } from './host.service';

@Module({
  controllers: [HostController],
  providers: [HostService, HostResolver, DiscoveryService],
  exports: [HostService, DiscoveryService],
})
export class HostsModule {}
