import type { Client } from 'pg';
import type { CopyRow } from './fleet-rows';

const COPY_DATA = 100; // 'd'
const ERROR = 69; // 'E'
const READY = 90; // 'Z'

/**
 * PostgreSQL's answer to a simple query, framed straight from the socket's chunks: each
 * CopyData message (one row of COPY ... TO STDOUT) is handed to `row` as a range of the
 * chunk it arrived in, so a million rows make no Buffer, message object or event each (pg's
 * own parser makes all three). A message split between chunks is put together in `carry`,
 * a buffer reused for the whole read. Everything else is skipped but an ErrorResponse (kept)
 * and ReadyForQuery (the end).
 */
export class CopyFrames {
  /** The first error: PostgreSQL's, or thrown by the sink (the rest of the answer is still read). */
  error: Error | null = null;
  done = false;
  private carry = Buffer.alloc(0);
  private carried = 0;

  constructor(
    private readonly row: CopyRow,
    private readonly sink: (row: CopyRow) => void,
  ) {}

  /** Consumes a chunk; returns the bytes after ReadyForQuery (none, as a rule) once done. */
  feed(chunk: Buffer): Buffer | null {
    let at = 0;
    if (this.carried > 0) {
      at = this.fill(chunk);
      if (at < 0) return null;
      this.carried = 0;
      this.message(this.carry, 0);
      if (this.done) return chunk.subarray(at);
    }
    while (chunk.length - at >= 5) {
      const end = at + 1 + chunk.readInt32BE(at + 1);
      if (end > chunk.length) break;
      this.message(chunk, at);
      at = end;
      if (this.done) return chunk.subarray(at);
    }
    this.keep(chunk, at);
    return null;
  }

  /** Completes the carried message from the chunk; the offset after it, or -1 when the chunk ends first. */
  private fill(chunk: Buffer): number {
    let at = 0;
    if (this.carried < 5) {
      at = Math.min(5 - this.carried, chunk.length);
      this.append(chunk, 0, at);
      if (this.carried < 5) return -1;
    }
    const need = 1 + this.carry.readInt32BE(1) - this.carried;
    const take = Math.min(need, chunk.length - at);
    this.append(chunk, at, at + take);
    return take < need ? -1 : at + take;
  }

  private keep(chunk: Buffer, at: number): void {
    if (at < chunk.length) this.append(chunk, at, chunk.length);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const n = this.carried + to - from;
    if (n > this.carry.length) {
      const size = Math.max(n, this.carried >= 5 ? 1 + this.carry.readInt32BE(1) : 0, 2 * this.carry.length, 256);
      const grown = Buffer.allocUnsafe(size);
      this.carry.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carried, from, to);
    this.carried = n;
  }

  private message(b: Buffer, at: number): void {
    const code = b[at];
    const end = at + 1 + b.readInt32BE(at + 1);
    if (code === COPY_DATA) {
      if (this.error) return;
      try {
        this.row.set(b, at + 5, end);
        this.sink(this.row);
      } catch (e) {
        this.error = e instanceof Error ? e : new Error(String(e));
      }
    } else if (code === ERROR) {
      this.error ??= errorOf(b, at + 5, end);
    } else if (code === READY) {
      this.done = true;
    }
  }
}

/** An ErrorResponse's fields (type byte, text, NUL) as an Error with PostgreSQL's message and SQLSTATE. */
export function errorOf(b: Buffer, from: number, to: number): Error {
  const fields = new Map<string, string>();
  for (let k = from; k < to && b[k] !== 0;) {
    const nul = b.indexOf(0, k + 1);
    const stop = nul < 0 || nul > to ? to : nul;
    fields.set(String.fromCharCode(b[k]), b.toString('utf8', k + 1, stop));
    k = stop + 1;
  }
  return Object.assign(new Error(fields.get('M') ?? 'PostgreSQL error'), { code: fields.get('C'), severity: fields.get('S') });
}

function queryMessage(sql: string): Buffer {
  const len = Buffer.byteLength(sql);
  const m = Buffer.allocUnsafe(1 + 4 + len + 1);
  m[0] = 81; // 'Q'
  m.writeInt32BE(4 + len + 1, 1);
  m.write(sql, 5);
  m[5 + len] = 0;
  return m;
}

interface Socket {
  listeners(event: 'data'): ((chunk: Buffer) => void)[];
  removeAllListeners(event: 'data'): void;
  on(event: 'data', f: (chunk: Buffer) => void): void;
  once(event: 'close', f: () => void): void;
  off(event: 'data' | 'close', f: (chunk: Buffer) => void): void;
  write(b: Buffer): void;
}

/**
 * `COPY (sql) TO STDOUT` on an idle pg client of our own: while it runs, the socket's data goes
 * to CopyFrames instead of pg's parser (pg sees an idle connection throughout and gets the
 * socket back at ReadyForQuery, with any bytes after it).
 */
export function copyOut(pg: Client, sql: string, row: CopyRow, sink: (row: CopyRow) => void): Promise<void> {
  const stream = (pg as unknown as { connection: { stream: Socket } }).connection.stream;
  const frames = new CopyFrames(row, sink);
  const saved = stream.listeners('data');
  return new Promise<void>((resolve, reject) => {
    const restore = (): void => {
      stream.off('data', onData);
      stream.off('close', onClose);
      for (const l of saved) stream.on('data', l);
    };
    const onClose = (): void => {
      restore();
      reject(new Error('the connection closed during COPY'));
    };
    const onData = (chunk: Buffer): void => {
      const rest = frames.feed(chunk);
      if (!frames.done) return;
      restore();
      if (rest && rest.length > 0) for (const l of saved) l(rest);
      if (frames.error) reject(frames.error);
      else resolve();
    };
    stream.removeAllListeners('data');
    stream.on('data', onData);
    stream.once('close', onClose);
    stream.write(queryMessage(`COPY (${sql}) TO STDOUT`));
  });
}
