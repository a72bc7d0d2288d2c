import { HOST_JOB_NAMES } from '@netpin/contracts';
import { configureSriovHandler } from './configure-sriov';
import { discoverHandler } from './discover';
import type { HandlerRegistry } from './types';
import { vmApplyHandler } from './vm-apply';
import { vmAttachInterfaceHandler } from './vm-attach-interface';
import { vmDetachInterfaceHandler } from './vm-detach-interface';
import { vmMigrateHandler } from './vm-migrate';
import { vmRebootHandler } from './vm-reboot';
import { vmStopHandler } from './vm-stop';
import { vmTeardownHandler } from './vm-teardown';
import { vmVerifyHandler } from './vm-verify';

export const defaultHandlers: HandlerRegistry = {
  'host.discover': discoverHandler,
  'host.configureSriov': configureSriovHandler,
  'vm.apply': vmApplyHandler,
  'vm.verify': vmVerifyHandler,
  'vm.teardown': vmTeardownHandler,
  'vm.stop': vmStopHandler,
  'vm.reboot': vmRebootHandler,
  'vm.attachInterface': vmAttachInterfaceHandler,
  'vm.detachInterface': vmDetachInterfaceHandler,
  'vm.migrate': vmMigrateHandler,
};

export class MissingHandlerError extends Error {
  constructor(readonly jobNames: string[]) {
    super(`no handler for job ${jobNames.join(', ')}: refusing to start`);
    this.name = 'MissingHandlerError';
  }
}

/**
 * The type system already demands a handler per job name; this check catches a registry
 * built at run time (tests, plugins) or a contracts package newer than the agent.
 */
export function assertHandlersComplete(registry: Partial<Record<string, unknown>>, names: readonly string[] = HOST_JOB_NAMES): void {
  const missing = names.filter((n) => typeof registry[n] !== 'object' || registry[n] === null);
  if (missing.length > 0) throw new MissingHandlerError(missing);
}

export type { HandlerRegistry, JobHandler, HandlerContext, VmFence } from './types';
