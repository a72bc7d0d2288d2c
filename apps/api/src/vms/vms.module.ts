import { Module } from '@nestjs/common';
import { VmController } from './vm.controller';
import { VmResolver } from './vm.resolver';
import { VmService } from './vm.service';

@Module({ controllers: [VmController], providers: [VmService, VmResolver], exports: [VmService] })
export class VmsModule {}
