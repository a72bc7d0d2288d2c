import type { HostJobName, HostJobPayloads, HostJobResultData, HostTarget } from '@netpin/contracts';
import type { Logger } from 'pino';
import type { HostShell } from '../host-shell';
import type { StepRunner } from '../steps';
import type { HostVfClaims } from '../vf-claims';

export interface HandlerContext {
  host: HostTarget;
  shell: HostShell;
  steps: StepRunner;
  log: Logger;
  /** The VFs netpin has allocated on the host, read when asked (host.configureSriov's guard). */
  vfClaims: HostVfClaims;
  /** A shell on another host the job names (a migration's target): its lock is held too. */
  shellFor(host: HostTarget): HostShell;
}

/** A job serving one VM's generation; `advance` (teardown) raises the VM's fence to it. */
export interface VmFence {
  vmId: string;
  generation: number;
  advance: boolean;
}

/** One job type: how many steps it reports and what it does. */
export interface JobHandler<K extends HostJobName> {
  /** Holds the per-host lock while it runs. */
  readonly mutating: boolean;
  /** Other hosts the job changes (a migration's target): their locks are held too, all taken in host id order. */
  peerHosts?(payload: HostJobPayloads[K]): HostTarget[];
  /** A mutating job for one VM: checked against the VM's fence before each step. */
  vmFence?(payload: HostJobPayloads[K]): VmFence;
  stepCount(payload: HostJobPayloads[K]): number;
  run(payload: HostJobPayloads[K], ctx: HandlerContext): Promise<HostJobResultData[K]>;
}

export type HandlerRegistry = { [K in HostJobName]: JobHandler<K> };
