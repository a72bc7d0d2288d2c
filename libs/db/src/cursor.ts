/** Opaque cursors: base64url of the sort key, so clients cannot depend on its shape. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeCursor(key) === cursor ? key : null;
}
