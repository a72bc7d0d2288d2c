import { Slab } from './slab';

/** The lists' shared chunks: 16,384 ints (64 KiB), ~250 NICs of 64 VFs. */
const slab = new Slab((n) => new Int32Array(n), 16_384);

/**
 * A NIC's free VF indices, ascending, as the sorted `number[]` it replaces behaved (an
 * index released twice is there twice; taking one removes every copy) in an Int32Array
 * view into a chunk shared by many NICs: a 64-VF list is 256 bytes of data and one view,
 * where the array was ~560 bytes of heap (20,000 of them at 10,000 hosts).
 */
export class FreeVfs {
  private a: Int32Array;
  private n = 0;

  constructor(capacity: number) {
    this.a = slab.take(Math.max(1, capacity), 0);
  }

  get length(): number {
    return this.n;
  }

  /** The k-th free index (ascending), undefined past the end. */
  at(k: number): number | undefined {
    return k >= 0 && k < this.n ? this.a[k] : undefined;
  }

  includes(index: number): boolean {
    for (let k = 0; k < this.n; k++) if (this.a[k] === index) return true;
    return false;
  }

  /** Append an index (building the list in the NIC's VF order). */
  push(index: number): void {
    this.grow();
    this.a[this.n++] = index;
  }

  /** Remove every copy of an index. */
  remove(index: number): void {
    let w = 0;
    for (let k = 0; k < this.n; k++) if (this.a[k] !== index) this.a[w++] = this.a[k];
    this.n = w;
  }

  /** Insert an index in order (after any equal one). */
  insert(index: number): void {
    this.grow();
    let at = this.n;
    while (at > 0 && this.a[at - 1] > index) {
      this.a[at] = this.a[at - 1];
      at--;
    }
    this.a[at] = index;
    this.n++;
  }

  private grow(): void {
    if (this.n < this.a.length) return;
    const b = new Int32Array(2 * this.a.length);
    b.set(this.a);
    this.a = b;
  }

  toArray(): number[] {
    return Array.from(this.a.subarray(0, this.n));
  }
}
