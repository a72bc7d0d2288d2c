import { Module } from '@nestjs/common';
import { HotplugService } from './hotplug.service';
import { PowerService } from './power.service';
import { ProvisioningService } from './provisioning.service';
import { ReaperService } from './reaper.service';
import { VmController } from './vm.controller';
import { VmResolver } from './vm.resolver';
import { VmFieldsResolver, VmInterfaceFieldsResolver } from './vm-fields.resolver';
import { VmService } from './vm.service';

@Module({
  controllers: [VmController],
  providers: [
    VmService,
    VmResolver,
    VmFieldsResolver,
    VmInterfaceFieldsResolver,
    ProvisioningService,
    ReaperService,
    PowerService,
    HotplugService,
  ],
  exports: [VmService, ProvisioningService, ReaperService, PowerService],
})
export class VmsModule {}
