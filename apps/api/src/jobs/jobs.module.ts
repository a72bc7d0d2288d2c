import { Global, Module } from '@nestjs/common';
import { OperationEvents } from '../operations/operation.events';
import { OutboxRelay } from './outbox.relay';
import { JobQueues } from './queues';
import { VfClaims } from './vf-claims';
import { VmFencing } from './vm-fencing';

/** Producer side and operation events, shared by every feature module. */
@Global()
@Module({
  providers: [JobQueues, OutboxRelay, OperationEvents, VmFencing, VfClaims],
  exports: [JobQueues, OutboxRelay, OperationEvents, VmFencing, VfClaims],
})
export class JobsModule {}
