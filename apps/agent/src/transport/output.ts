/** Default cap on one command's stdout (NETPIN_AGENT_MAX_OUTPUT_BYTES). */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** stderr only ever becomes a message: its head is kept, the rest counted and dropped. */
export const STDERR_KEEP_BYTES = 64 * 1024;

/**
 * One command's output stream, collected up to a byte cap so a host cannot make the agent
 * buffer without bound. `overflowed` tells the transport to stop the command (stdout: the
 * output would be parsed, and a cut one would be wrong) or just to note the cut (stderr).
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(readonly maxBytes: number) {}

  /** Keeps what fits under the cap; false once something had to be dropped. */
  push(chunk: Buffer): boolean {
    const room = this.maxBytes - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return true;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept += Math.max(0, room);
    this.dropped += chunk.length - Math.max(0, room);
    return false;
  }

  get overflowed(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${s}\n[${this.dropped} more bytes dropped]` : s;
  }
}

export function outputTooLarge(maxBytes: number): string {
  return `wrote more than ${maxBytes} bytes to stdout: stopped (NETPIN_AGENT_MAX_OUTPUT_BYTES)`;
}
