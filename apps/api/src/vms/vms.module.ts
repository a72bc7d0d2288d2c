import { Module } from '@nestjs/common';
import { DrainController } from './drain.controller';
import { DrainResolver } from './drain.resolver';
import { DrainService } from './drain.service';
import { HotplugService } from './hotplug.service';
import { MigrationController } from './migration.controller';
import { MigrationResolver } from './migration.resolver';
import { MigrationService } from './migration.service';
import { PowerService } from './power.service';
import { ProvisioningService } from './provisioning.service';
import { ReaperService } from './reaper.service';
import { VmController } from './vm.controller';
import { VmResolver } from './vm.resolver';
import { VmFieldsResolver, VmInterfaceFieldsResolver } from './vm-fields.resolver';
import { VmService } from './vm.service';

@Module({
  controllers: [VmController, MigrationController, DrainController],
  providers: [
    VmService,
    VmResolver,
    VmFieldsResolver,
    VmInterfaceFieldsResolver,
    ProvisioningService,
    ReaperService,
    PowerService,
    HotplugService,
    MigrationService,
    MigrationResolver,
    DrainService,
    DrainResolver,
  ],
  exports: [VmService, ProvisioningService, ReaperService, PowerService, MigrationService],
})
export class VmsModule {}
