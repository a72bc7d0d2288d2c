export { DEFAULT_PLACEMENT_OPTIONS, type PlacementOptions } from './config';
export { AUTO_ORDER, datapathsForKind, rankOf, costOf } from './datapaths';
export { PlacementIndex, type PlacementResult } from './engine';
export {
  compactFleet,
  compactHost,
  cloneHost,
  cpuPos,
  ownerCell,
  vmSlot,
  CpuLayouts,
  expandFleet,
  expandHost,
  isCompact,
  vfPciRule,
  formatRid,
  type CompactFleet,
  type CompactHost,
  type CompactNic,
  type CpuColumns,
  type VfColumns,
  type VfPci,
} from './compact';
export { PlacementConflictError } from './allocation';
export { place, explain, explainOn, capacity, capacityOn, applyPlan, releaseVm, type CapacityReport, type Explanation } from './api';
export { evaluateHost, HOST_FILTERS, type Choice, type EvalContext } from './evaluate';
export { buildPlan, generatedMac } from './plan';
export { planAttach, planDetach, type AttachResult } from './hotplug';
export { nextIoOwner } from './host-state';
export { WEIGHERS } from './weighers';
export { fleet, vm, buildHost, FleetBuilder, type HostSpec, type NicSpec, type NetworkSpec } from './testing/fleet-builder';
export { planOf, reasonsOf } from './testing/results';
export {
  resolveSriovPolicies,
  decidePf,
  globMatch,
  policyMatchesHost,
  policyMatchesPf,
  comparePolicies,
  vfMatchesDefaults,
  SRIOV_ACTIONS,
  type SriovAction,
  type SriovDecision,
  type SriovDesired,
  type SriovHostView,
  type SriovPfView,
  type SriovVfView,
} from './sriov-policy';
