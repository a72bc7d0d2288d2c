/** Opaque cursors: base64url of the sort key, so clients cannot depend on its shape. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeCursor(key) === cursor ? key : null;
}

/** Keyset of rows ordered by (time, id): the id breaks ties between rows created in the same millisecond. */
export interface TimeIdKey {
  at: Date;
  id: string;
}

export function encodeTimeIdCursor(key: TimeIdKey): string {
  return encodeCursor(`${key.at.toISOString()}|${key.id}`);
}

const TIME_ID = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function decodeTimeIdCursor(cursor: string): TimeIdKey | null {
  const m = TIME_ID.exec(decodeCursor(cursor) ?? '');
  if (!m) return null;
  const at = new Date(m[1]);
  return Number.isNaN(at.getTime()) ? null : { at, id: m[2] };
}
