/**
 * @netpin/host-ops: PURE command builders and output parsers for KVM hosts.
 *
 * - Builders return `HostCommand` (argv + optional stdin + accepted exit codes). Values come
 *   in as branded types from @netpin/contracts; paths come from `hostPaths`.
 * - `shellQuote(argv)` is the only place an argv becomes a shell string (SSH exec).
 * - Writes to sysfs/procfs are `tee PATH` with the value on stdin (`writeFile`).
 * - Parsers take the exact text the tools print and throw `HostOutputParseError` with the
 *   offending line when it does not fit.
 * - Discovery: run `nextDiscoverySteps(outputs)` until it returns [], then
 *   `assembleFacts(outputs)` -> `HostFacts` (schema in @netpin/contracts).
 * Formats and paths are described in docs/host-ops.md.
 */
export { shellQuote, isOk, type HostCommand, type CommandOutput } from './command';
export { HostOutputParseError, HostCommandArgumentError } from './errors';
export { hostPaths, HUGEPAGE_SIZES_KIB } from './paths';
export * from './builders';
export * from './builders-vdpa';
export * from './parsers/vdpa';
export {
  parseLscpu,
  siblingsFromLscpu,
  parseSysfsCpuTopology,
  parseNodeMeminfo,
  parseCpuFlags,
  type LscpuRow,
  type SysfsCpuTopology,
  type NodeMeminfo,
  type CpuVirtFlags,
} from './parsers/cpu';
export {
  parseGrepFiles,
  parseReadlinks,
  parsePciLinkTarget,
  parseUevent,
  parseExistingPaths,
  cmdlineEnablesIommu,
  parseCpuMaskFile,
  parsePciIdFile,
} from './parsers/files';
export { parseUintFile, parseIntFile } from './parsers/lines';
export { parseDomjobinfo, domJobFraction, type DomJobInfo, type DomJobData } from './parsers/domjobinfo';
export { parseIpLinkShow, type IpLink, type IpLinkVf } from './parsers/ip-link';
export { parseProcInterrupts, nicQueueIrqs, type ProcInterrupts, type IrqLine, type QueueIrq } from './parsers/interrupts';
export { parseEthtoolChannels } from './parsers/ethtool';
export {
  parseOvsBoolean,
  parsePmdCpuMask,
  parseOvsBridgeDatapaths,
  parseOvsVhostUserInterfaces,
  parseOvsPortPlacement,
  type OvsBridgeDatapath,
  type OvsVhostUserInterface,
} from './parsers/ovs';
export {
  parseVirshDomstate,
  parseVirshList,
  parseVirshListState,
  parseVirshListNames,
  VIRSH_DOMAIN_STATES,
  type VirshDomainState,
  type VirshListEntry,
} from './parsers/virsh';
export { nextDiscoverySteps, assembleFacts, type DiscoveryStep, type DiscoveryOutputs } from './discovery';
