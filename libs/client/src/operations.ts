/**
 * Every GraphQL operation netpin's own tools use (web UI, CLI, typed client), as typed
 * documents generated from the committed SDL and graphql/*.graphql. Browser-safe: types
 * and query strings only.
 */
export * from './generated/graphql';
