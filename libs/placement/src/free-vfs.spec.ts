import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FreeVfs } from './free-vfs';

/** The sorted number[] FreeVfs replaces, as host-state used it. */
class Reference {
  a: number[] = [];
  remove(x: number): void {
    for (let at = this.a.indexOf(x); at >= 0; at = this.a.indexOf(x)) this.a.splice(at, 1);
  }
  insert(x: number): void {
    let at = this.a.length;
    while (at > 0 && this.a[at - 1] > x) at--;
    this.a.splice(at, 0, x);
  }
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), x: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), x: fc.integer({ min: 0, max: 20 }) }),
);

describe('FreeVfs', () => {
  it('behaves as the sorted array it replaces, past its capacity and with repeated indices', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 12 }), fc.array(op, { maxLength: 60 }), (initial, ops) => {
        const f = new FreeVfs(initial.length);
        const r = new Reference();
        for (const x of initial) {
          f.push(x);
          r.a.push(x);
        }
        for (const o of ops) {
          f[o.kind](o.x);
          r[o.kind](o.x);
          expect(f.length).toBe(r.a.length);
        }
        expect(f.toArray()).toEqual(r.a);
        for (let x = 0; x <= 20; x++) expect(f.includes(x)).toBe(r.a.includes(x));
        for (let k = -1; k <= r.a.length; k++) expect(f.at(k)).toBe(r.a[k]);
      }),
      { numRuns: 300 },
    );
  });

  it('lists of many NICs do not overwrite each other in the shared chunk', () => {
    const lists = Array.from({ length: 600 }, (_, n) => {
      const f = new FreeVfs(64);
      for (let i = 0; i < 64; i++) f.push(n * 100 + i);
      return f;
    });
    lists[7].insert(7 * 100 + 64); // grows past its 64 places: its own array, the neighbour untouched
    lists.forEach((f, n) => expect(f.toArray().slice(0, 64)).toEqual(Array.from({ length: 64 }, (_, i) => n * 100 + i)));
    expect(lists[7].length).toBe(65);
    expect(lists[8].at(0)).toBe(800);
  });
});
