/**
 * A row a SQL function returned as jsonb (to_jsonb(row)) as Prisma returns it: the named
 * timestamp(3) columns, which to_jsonb writes as text without a zone, become Dates (UTC, as
 * Prisma reads them); everything else is already what Prisma gives (jsonb columns parsed).
 */
export function rowFromJson<T>(json: unknown, dates: readonly string[]): T {
  if (typeof json !== 'object' || json === null) throw new Error(`expected a row as JSON, got ${JSON.stringify(json)}`);
  const row: Record<string, unknown> = { ...json };
  for (const k of dates) {
    const v = row[k];
    if (typeof v === 'string') row[k] = new Date(v.endsWith('Z') ? v : `${v}Z`);
  }
  return row as T;
}
