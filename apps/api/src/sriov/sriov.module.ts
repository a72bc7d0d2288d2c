import { Global, Module } from '@nestjs/common';
import { SriovPolicyRepository, type Db } from '@netpin/db';
import { DB } from '../db/db.module';
import { SriovPolicyController } from './sriov.controller';
import { SriovReconciler } from './sriov.reconciler';
import { SriovPolicyResolver } from './sriov.resolver';
import { SriovPolicyService } from './sriov.service';

/** Global so discovery and provisioning can ask for a reconcile pass without importing this module. */
@Global()
@Module({
  controllers: [SriovPolicyController],
  providers: [
    { provide: SriovPolicyRepository, inject: [DB], useFactory: (db: Db) => new SriovPolicyRepository(db) },
    SriovReconciler,
    SriovPolicyService,
    SriovPolicyResolver,
  ],
  exports: [SriovReconciler],
})
export class SriovModule {}
