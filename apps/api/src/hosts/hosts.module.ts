import { Module } from '@nestjs/common';
import { DiscoveryService } from './discovery.service';
import { HostController } from './host.controller';
import { HostResolver } from './host.resolver';
import { HostService } from './host.service';
import { GraphLoaderSource } from './loader-source';
import { TopologyService } from './topology.service';
import { NicResolver, NumaNodeResolver } from './topology.resolver';

@Module({
  controllers: [HostController],
  providers: [HostService, HostResolver, NumaNodeResolver, NicResolver, DiscoveryService, TopologyService, GraphLoaderSource],
  exports: [HostService, DiscoveryService, TopologyService, GraphLoaderSource],
})
export class HostsModule {}
