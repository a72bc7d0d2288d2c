import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeTimeIdCursor, encodeCursor, encodeTimeIdCursor } from './cursor';

describe('opaque cursors', () => {
  it('round-trip any sort key, unicode included', () => {
    for (const key of ['kvm-01', 'a', 'ñandú-7', '']) expect(decodeCursor(encodeCursor(key))).toBe(key);
  });
  it('refuse strings this API did not issue', () => {
    expect(decodeCursor('not base64url!')).toBeNull();
    expect(decodeCursor('a=b')).toBeNull();
  });
  it('round-trip a (time, id) key to the millisecond', () => {
    const key = { at: new Date('2026-11-26T05:15:00.123Z'), id: '0b6f3c1e-2d4a-4f5b-9c8d-7e6f5a4b3c2d' };
    expect(decodeTimeIdCursor(encodeTimeIdCursor(key))).toEqual(key);
  });
  it('refuse a (time, id) cursor whose key is not a time and a UUID', () => {
    expect(decodeTimeIdCursor(encodeCursor('kvm-01'))).toBeNull();
    expect(decodeTimeIdCursor(encodeCursor('2026-13-45T99:99:99.000Z|0b6f3c1e-2d4a-4f5b-9c8d-7e6f5a4b3c2d'))).toBeNull();
    expect(decodeTimeIdCursor(encodeCursor("2026-11-26T05:15:00.123Z|x' OR 1=1"))).toBeNull();
  });
});
