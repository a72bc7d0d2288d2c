import { BadUserInputError } from '@netpin/contracts';

/** Query-string scalars are strings; parse them here so a bad one names its parameter. */
export function queryInt(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw BadUserInputError.of(field, 'must be an integer');
  return Number(v);
}

export function queryBool(v: string | undefined, field: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw BadUserInputError.of(field, 'must be true or false');
}

/** An empty query parameter (`?state=`) is no filter, as null is in GraphQL. */
export function queryStr(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
