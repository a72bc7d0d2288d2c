import { Global, Module } from '@nestjs/common';
import { OperationEvents } from '../operations/operation.events';
import { OutboxRelay } from './outbox.relay';
import { JobQueues } from './queues';

/** Producer side and operation events, shared by every feature module. */
@Global()
@Module({ providers: [JobQueues, OutboxRelay, OperationEvents], exports: [JobQueues, OutboxRelay, OperationEvents] })
export class JobsModule {}
