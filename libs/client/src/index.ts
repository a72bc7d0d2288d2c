export {
  NetpinClient,
  type NetpinClientOptions,
  type RequestOptions,
  type TypedDocument,
  type Host,
  type HostSummary,
  type Network,
  type Group,
  type Vm,
  type PlacementPreview,
  type HostExplanation,
  type CapacityReport,
  type CreatedVm,
} from './netpin-client';
export {
  NetpinError,
  NetpinApiError,
  OperationFailedError,
  OperationTimeoutError,
  ERROR_STATUS,
  type Operation,
  type RawGraphQLError,
  type PlacementRejectionDetails,
  type RejectionSummaryEntry,
} from './errors';
export { waitForOperation, type WaitOptions, type WaitSources, type OperationSink } from './wait';
export type {
  VmInput,
  CreateGroupInput,
  GroupPolicy,
  GroupEnforcement,
  VmInterfaceInput,
  RegisterHostInput,
  UpdateHostInput,
  HostFilterInput,
  VmFilterInput,
  StopVmInput,
  DrainHostInput,
  DrainStrategy,
  OperationState,
  VmState,
  HostState,
  Datapath,
  DatapathRequest,
  NumaPolicy,
  CpuPolicy,
  HugepageSize,
} from './generated/graphql';
export { GqlClient, GqlError, type OperationState as GqlOperationState } from './gql-client';
export { setupFleet, DEMO_NETWORKS, type FleetHostEntry } from './fleet-setup';
export * from './display';
