import type { HostJobName, HostJobPayloads, HostJobResultData, HostTarget } from '@netpin/contracts';
import type { Logger } from 'pino';
import type { HostShell } from '../host-shell';
import type { StepRunner } from '../steps';

export interface HandlerContext {
  host: HostTarget;
  shell: HostShell;
  steps: StepRunner;
  log: Logger;
}

/** One job type: how many steps it reports and what it does. */
export interface JobHandler<K extends HostJobName> {
  /** Holds the per-host lock while it runs. */
  readonly mutating: boolean;
  stepCount(payload: HostJobPayloads[K]): number;
  run(payload: HostJobPayloads[K], ctx: HandlerContext): Promise<HostJobResultData[K]>;
}

export type HandlerRegistry = { [K in HostJobName]: JobHandler<K> };
