import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

describe('opaque cursors', () => {
  it('round-trip any sort key, unicode included', () => {
    for (const key of ['kvm-01', 'a', 'ñandú-7', '']) expect(decodeCursor(encodeCursor(key))).toBe(key);
  });
  it('refuse strings this API did not issue', () => {
    expect(decodeCursor('not base64url!')).toBeNull();
    expect(decodeCursor('a=b')).toBeNull();
  });
});
