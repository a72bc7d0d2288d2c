import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { ApiConfig } from '../config';
import { queryLimits } from './depth-limit';

/**
 * The validation rules every GraphQL transport adds to graphql's own (HTTP through Apollo,
 * WebSocket through graphql-ws): depth and field limits, and no introspection when
 * NETPIN_GRAPHQL_INTROSPECTION is off.
 */
export function graphqlRules(config: Pick<ApiConfig, 'NETPIN_GRAPHQL_MAX_DEPTH' | 'NETPIN_GRAPHQL_INTROSPECTION'>): ValidationRule[] {
  return [queryLimits(config.NETPIN_GRAPHQL_MAX_DEPTH), ...(config.NETPIN_GRAPHQL_INTROSPECTION ? [] : [NoSchemaIntrospectionCustomRule])];
}

/** NETPIN_BODY_LIMIT ("512kb", "1mb") in bytes, counted as body-parser counts them. */
export function bodyLimitBytes(limit: string): number {
  const m = /^(\d+)(kb|mb)$/.exec(limit);
  if (!m) throw new Error(`not a size: ${limit}`);
  return Number(m[1]) * (m[2] === 'kb' ? 1024 : 1024 * 1024);
}
