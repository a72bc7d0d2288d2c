import { Client } from 'pg';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { copyOut } from './copy-stream';

type Client_ = Db | Prisma.TransactionClient;

/**
 * One row of a fleet table, read field by field. Fields are addressed by position; the SQL
 * casts every column to int, boolean or text (JSON as text), so both sources below agree.
 * Numbers and comma lists are parsed straight from the bytes PostgreSQL sent: a million CPU
 * rows make no per-row objects.
 */
export interface Row {
  int(i: number): number;
  intOrNull(i: number): number | null;
  bool(i: number): boolean;
  text(i: number): string;
  textOrNull(i: number): string | null;
  /** A comma-separated list of integers (array_to_string), appended to `out`; returns how many. */
  ints(i: number, out: IntColumn): number;
  /**
   * A PCI address "<prefix>bb:dd.f" in canonical form (lower-case hex): its routing id, with
   * `prefix` compared to the given one; -1 when the field is not in that form.
   */
  rid(i: number, prefix: string): number;
  /** Whether field i equals the text `s` (ASCII), without making a string. */
  same(i: number, s: string): boolean;
}

export type RowSink = (row: Row) => void;

/** A growable Int32Array: a column of a whole table, with no object per row. */
export class IntColumn {
  a = new Int32Array(1024);
  n = 0;

  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * A table of int fields kept row after row in one growable Int32Array (`width` fields a row):
 * one capacity check a row, however many fields. Row r's field f is a[r * width + f].
 */
export class IntTable {
  a: Int32Array;
  n = 0;

  constructor(
    readonly width: number,
    rows = 1024,
  ) {
    this.a = new Int32Array(width * Math.max(rows, 16));
  }

  /** A new row; returns the offset of its first field. */
  add(): number {
    const at = this.n * this.width;
    if (at + this.width > this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.n++;
    return at;
  }

  get(row: number, field: number): number {
    return this.a[row * this.width + field];
  }
}

const CANONICAL_RID = /^([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/** The routing id of an address whose text is `prefix` + canonical "bb:dd.f", else -1. */
export function ridOf(addr: string, prefix: string): number {
  if (!addr.startsWith(prefix)) return -1;
  const m = CANONICAL_RID.exec(addr.slice(prefix.length));
  if (!m) return -1;
  const dev = parseInt(m[2], 16);
  return dev > 31 ? -1 : (parseInt(m[1], 16) << 8) | (dev << 3) | parseInt(m[3], 16);
}

const TAB = 9;
const NL = 10;
const BACKSLASH = 92;
const COMMA = 44;
const MINUS = 45;

/** A COPY text-format line (tab-separated, \N = NULL, backslash escapes in text). */
export class CopyRow implements Row {
  buf: Buffer = Buffer.alloc(0);
  private readonly start = new Int32Array(64);
  private readonly end = new Int32Array(64);

  /** The line in buf[from, to) (its newline, if any, at to - 1): fields by offset, nothing copied. */
  set(buf: Buffer, from = 0, to = buf.length): void {
    this.buf = buf;
    let f = 0;
    let s = from;
    const n = to > from && buf[to - 1] === NL ? to - 1 : to;
    for (let k = from; k <= n; k++) {
      if (k === n || buf[k] === TAB) {
        this.start[f] = s;
        this.end[f] = k;
        f++;
        s = k + 1;
      }
    }
  }

  private isNull(i: number): boolean {
    return this.end[i] - this.start[i] === 2 && this.buf[this.start[i]] === BACKSLASH && this.buf[this.start[i] + 1] === 78;
  }

  int(i: number): number {
    return parseIntAt(this.buf, this.start[i], this.end[i]);
  }

  intOrNull(i: number): number | null {
    return this.isNull(i) ? null : this.int(i);
  }

  bool(i: number): boolean {
    return this.buf[this.start[i]] === 116; // 't'
  }

  text(i: number): string {
    const s = this.buf.toString('utf8', this.start[i], this.end[i]);
    return s.includes('\\') ? unescapeCopy(s) : s;
  }

  textOrNull(i: number): string | null {
    return this.isNull(i) ? null : this.text(i);
  }

  ints(i: number, out: IntColumn): number {
    let s = this.start[i];
    const e = this.end[i];
    if (this.isNull(i)) return 0;
    let n = 0;
    for (let k = s; k <= e; k++) {
      if (k === e || this.buf[k] === COMMA) {
        if (k > s) {
          out.push(parseIntAt(this.buf, s, k));
          n++;
        }
        s = k + 1;
      }
    }
    return n;
  }

  rid(i: number, prefix: string): number {
    const s = this.start[i];
    const b = this.buf;
    if (this.end[i] - s !== prefix.length + 7) return -1;
    for (let k = 0; k < prefix.length; k++) if (b[s + k] !== prefix.charCodeAt(k)) return -1;
    const t = s + prefix.length;
    const bus = hex2(b, t);
    const dev = hex2(b, t + 3);
    const fn = b[t + 6] - 48;
    if (bus < 0 || dev < 0 || dev > 31 || b[t + 2] !== 58 || b[t + 5] !== 46 || fn < 0 || fn > 7) return -1;
    return (bus << 8) | (dev << 3) | fn;
  }

  same(i: number, str: string): boolean {
    const s = this.start[i];
    if (this.end[i] - s !== str.length) return false;
    for (let k = 0; k < str.length; k++) if (this.buf[s + k] !== str.charCodeAt(k)) return false;
    return true;
  }
}

/** A lower-case hex digit's value, or -1. */
function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * Two lower-case hex digits at k, or -1. No closure inside: called twice per VF row, and the
 * API's bundle (esbuild keepNames) names every closure it creates, which cost 0.7 CPU-s a read.
 */
function hex2(b: Buffer, k: number): number {
  const hi = hexDigit(b[k]);
  const lo = hexDigit(b[k + 1]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function parseIntAt(buf: Buffer, s: number, e: number): number {
  let neg = false;
  if (buf[s] === MINUS) {
    neg = true;
    s++;
  }
  let v = 0;
  for (let k = s; k < e; k++) v = v * 10 + (buf[k] - 48);
  return neg ? -v : v;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

function unescapeCopy(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/** Values of a row Prisma returned, in select order. */
class ValuesRow implements Row {
  v: unknown[] = [];

  int(i: number): number {
    return Number(this.v[i]);
  }
  intOrNull(i: number): number | null {
    return this.v[i] === null ? null : Number(this.v[i]);
  }
  bool(i: number): boolean {
    return this.v[i] === true;
  }
  text(i: number): string {
    return String(this.v[i]);
  }
  textOrNull(i: number): string | null {
    return this.v[i] === null ? null : String(this.v[i]);
  }
  ints(i: number, out: IntColumn): number {
    const s = this.v[i];
    if (typeof s !== 'string' || s === '') return 0;
    const xs = s.split(',');
    for (const x of xs) out.push(Number(x));
    return xs.length;
  }
  rid(i: number, prefix: string): number {
    return ridOf(String(this.v[i]), prefix);
  }
  same(i: number, s: string): boolean {
    return this.v[i] === s;
  }
}

/** Connection strings of the clients createDb made: a full fleet read streams over a connection of its own. */
const urls = new WeakMap<object, string>();

export function rememberUrl(db: Db, url: string): void {
  urls.set(db, url);
}

/**
 * Reads fleet tables row by row. A full read by a client from createDb streams each table
 * with COPY on one connection of its own (committed rows only: the caller is not inside a
 * transaction); a read inside a transaction, or of a few hosts, goes through Prisma on the
 * caller's connection, with the same SQL.
 */
export interface RowSource {
  each(sql: string, params: unknown[], sink: RowSink): Promise<void>;
  close(): Promise<void>;
}

export async function rowSource(db: Client_, filtered: boolean): Promise<RowSource> {
  const url = urls.get(db);
  if (!filtered && url) {
    const pg = new Client({ connectionString: url });
    await pg.connect();
    // one snapshot for every table, as a read in one transaction would see
    await pg.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const row = new CopyRow();
    return {
      each: (sql, params, sink) => {
        if (params.length) throw new Error('COPY takes no parameters');
        return copyOut(pg, sql, row, sink);
      },
      close: async () => {
        await pg.query('COMMIT').catch(() => undefined);
        await pg.end();
      },
    };
  }
  const row = new ValuesRow();
  return {
    each: async (sql, params, sink) => {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
      for (const r of rows) {
        row.v = Object.values(r);
        sink(row);
      }
    },
    close: async () => undefined,
  };
}
