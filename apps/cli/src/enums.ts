import {
  CPU_POLICIES,
  DRAIN_STRATEGIES as DRAIN_STRATEGY_VALUES,
  DATAPATH_REQUESTS,
  EMULATOR_THREAD_POLICIES,
  HOST_STATES as HOST_STATE_VALUES,
  HUGEPAGE_SIZES,
  NUMA_POLICIES,
  OPERATION_STATES as OPERATION_STATE_VALUES,
  THREAD_POLICIES,
  VM_STATES as VM_STATE_VALUES,
} from '@netpin/contracts/enums';
import { DATAPATH_REGISTRY, DATAPATHS_BY_RANK, datapathForAlias } from '@netpin/contracts/datapaths';
import type { DatapathRequest, DrainStrategy, HostState, OperationState, VmInput, VmState } from '@netpin/client';

/**
 * The API's enum values, from libs/contracts (the GraphQL enums are defined from the same
 * arrays). The enums entry point alone, not the package: it imports nothing, so the CLI does
 * not load zod and every schema at start-up. The types the CLI sends and receives come from
 * the committed SDL; `Same` below stops the build if the two ever disagree, either way.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const HOST_STATES: readonly HostState[] = HOST_STATE_VALUES;
export const DRAIN_STRATEGIES: readonly DrainStrategy[] = DRAIN_STRATEGY_VALUES;
export const VM_STATES: readonly VmState[] = VM_STATE_VALUES;
export const OPERATION_STATES: readonly OperationState[] = OPERATION_STATE_VALUES;

export const ENUMS_MATCH_SDL: readonly true[] = [
  true satisfies Same<(typeof HOST_STATE_VALUES)[number], HostState>,
  true satisfies Same<(typeof DRAIN_STRATEGY_VALUES)[number], DrainStrategy>,
  true satisfies Same<(typeof VM_STATE_VALUES)[number], VmState>,
  true satisfies Same<(typeof OPERATION_STATE_VALUES)[number], OperationState>,
  true satisfies Same<(typeof DATAPATH_REQUESTS)[number], DatapathRequest>,
  true satisfies Same<(typeof NUMA_POLICIES)[number], NonNullable<VmInput['numaPolicy']>>,
  true satisfies Same<(typeof HUGEPAGE_SIZES)[number], NonNullable<VmInput['hugepages']>>,
  true satisfies Same<(typeof CPU_POLICIES)[number], NonNullable<VmInput['cpuPolicy']>>,
  true satisfies Same<(typeof THREAD_POLICIES)[number], NonNullable<VmInput['threadPolicy']>>,
  true satisfies Same<(typeof EMULATOR_THREAD_POLICIES)[number], NonNullable<VmInput['emulatorThreads']>>,
];

/** The API's enum value as people type it: SIZE_2M -> 2M, VHOST_BRIDGE -> vhost-bridge. */
export const cliValue = (v: string): string => (/^SIZE_/.test(v) ? v.slice(5) : v.toLowerCase().replace(/_/g, '-'));

/** Datapath names --net accepts: `auto`, then each datapath's aliases from its module, fastest first. */
export const DATAPATH_CHOICES: readonly string[] = ['auto', ...DATAPATHS_BY_RANK.flatMap((d) => DATAPATH_REGISTRY[d].cli.aliases)];

/** `sriov`, `macvtap`, `VHOST_BRIDGE` -> the API value; undefined when no datapath has that name. */
export function datapathRequest(name: string): DatapathRequest | undefined {
  return name.toLowerCase() === 'auto' ? 'AUTO' : datapathForAlias(name);
}
