import { Module } from '@nestjs/common';
import { NetworkController } from './network.controller';
import { NetworkResolver } from './network.resolver';
import { NetworkService } from './network.service';

@Module({ controllers: [NetworkController], providers: [NetworkService, NetworkResolver], exports: [NetworkService] })
export class NetworksModule {}
