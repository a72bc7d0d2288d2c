export { GqlClient, GqlError, type OperationState } from './gql-client';
export { setupFleet, DEMO_NETWORKS, type FleetHostEntry } from './fleet-setup';
