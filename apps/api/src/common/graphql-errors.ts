import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { toGraphQLError, withoutKeyMaterial } from './error-mapper';

/** How an error leaves the API over GraphQL: mapped domain codes, no key material, no internals. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError || original === error) return { ...formatted, message: withoutKeyMaterial(formatted.message) };
  const mapped = toGraphQLError(original);
  return { ...formatted, message: mapped.message, extensions: { ...mapped.extensions } };
}

/** A copy of a GraphQL error carrying `code` (Apollo's codes for the same failures over HTTP). */
export function withCode(e: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(withoutKeyMaterial(e.message), {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    path: e.path,
    extensions: { ...e.extensions, code },
  });
}

/**
 * An execution error as graphql-ws would send it, formatted as Apollo formats it over HTTP:
 * resolver errors were mapped by the exception filter; an error without a path is the
 * request's own (variables that do not coerce: BAD_USER_INPUT); anything else is internal.
 */
export function formatExecutionError(e: GraphQLError): GraphQLFormattedError {
  const json = e.toJSON();
  const given = json.extensions?.code;
  if (typeof given !== 'string' && e.originalError && !(e.originalError instanceof GraphQLError)) {
    const mapped = toGraphQLError(e.originalError);
    return { ...json, message: mapped.message, extensions: { ...mapped.extensions } };
  }
  const code = typeof given === 'string' ? given : e.path === undefined ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
  return { ...json, message: withoutKeyMaterial(json.message), extensions: { ...json.extensions, code } };
}
