/**
 * Small typed arrays handed out as views into shared chunks of `chunkSize` elements, a large
 * one (over a quarter of a chunk) with a buffer of its own: a typed array with its own buffer
 * costs ~200 bytes of heap and a malloc'd backing store besides its data, more than the data
 * of most of the placement index's per-host and per-NIC columns.
 */
export class Slab<A extends Int32Array | Uint8Array> {
  private chunk: A;
  private at = 0;

  constructor(
    private readonly make: (n: number) => A,
    private readonly chunkSize: number,
  ) {
    this.chunk = make(0);
  }

  /** n cells filled with `fill`. */
  take(n: number, fill: number): A {
    if (n > this.chunkSize / 4) return this.make(n).fill(fill) as A;
    if (this.at + n > this.chunk.length) {
      this.chunk = this.make(this.chunkSize);
      this.at = 0;
    }
    const out = this.chunk.subarray(this.at, this.at + n).fill(fill) as A;
    this.at += n;
    return out;
  }
}
