import { describe, expect, it } from 'vitest';
import { CopyFrames } from './copy-stream';
import { CopyRow, IntColumn } from './fleet-rows';

/** A backend message: code, int32 length (itself included), body. */
function msg(code: string, body: Buffer | string = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const head = Buffer.alloc(5);
  head[0] = code.charCodeAt(0);
  head.writeInt32BE(4 + b.length, 1);
  return Buffer.concat([head, b]);
}

function errorBody(fields: Record<string, string>): Buffer {
  return Buffer.concat([...Object.entries(fields).map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
}

/** What PostgreSQL answers to COPY (...) TO STDOUT: the lines as CopyData, then the end of the command. */
function answer(lines: string[], extra: Buffer[] = []): Buffer {
  return Buffer.concat([
    msg('H', Buffer.from([0, 0, 3, 0, 0, 0, 0, 0, 0])),
    ...lines.map((l) => msg('d', l)),
    msg('c'),
    ...extra,
    msg('C', `COPY ${lines.length}\0`),
    msg('Z', 'T'),
  ]);
}

interface Seen {
  id: number | null;
  name: string | null;
  flag: boolean;
  sib: number[];
}

/** Feeds `bytes` in the chunks cut at `cuts`; the rows as read, the error, the bytes left after ReadyForQuery. */
function read(bytes: Buffer, cuts: number[]): { rows: Seen[]; error: Error | null; rest: Buffer | null; done: boolean } {
  const rows: Seen[] = [];
  const sib = new IntColumn();
  const frames = new CopyFrames(new CopyRow(), (r) => {
    const from = sib.n;
    const n = r.ints(3, sib);
    rows.push({ id: r.intOrNull(0), name: r.textOrNull(1), flag: r.bool(2), sib: Array.from(sib.a.subarray(from, from + n)) });
  });
  let rest: Buffer | null = null;
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    rest = frames.feed(bytes.subarray(at, cut)) ?? rest;
    at = cut;
    if (frames.done) break;
  }
  return { rows, error: frames.error, rest, done: frames.done };
}

const LINES = ['1\talpha\tt\t3,67', '-12\t\\N\tf\t\\N', '\\N\ttab\\there\\\\back\\nline\tt\t', '7\tü ✓\tf\t0'];
const EXPECTED: Seen[] = [
  { id: 1, name: 'alpha', flag: true, sib: [3, 67] },
  { id: -12, name: null, flag: false, sib: [] },
  { id: null, name: 'tab\there\\back\nline', flag: true, sib: [] },
  { id: 7, name: 'ü ✓', flag: false, sib: [0] },
];

describe('COPY TO STDOUT read from the socket (CopyFrames)', () => {
  it('reads NULLs, negative numbers, escapes and UTF-8 in one chunk', () => {
    const r = read(answer(LINES.map((l) => `${l}\n`)), []);
    expect(r).toMatchObject({ rows: EXPECTED, error: null, done: true });
    expect(r.rest?.length).toBe(0);
  });

  it('reads the same rows whatever chunks split them (inside a header, a length, a row, a UTF-8 character)', () => {
    const bytes = answer(LINES.map((l) => `${l}\n`));
    for (let cut = 1; cut < bytes.length; cut++) expect(read(bytes, [cut]).rows).toEqual(EXPECTED);
    for (let size = 1; size <= 7; size++) {
      const cuts = Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => k * size).filter((c) => c > 0);
      expect(read(bytes, cuts)).toMatchObject({ rows: EXPECTED, done: true });
    }
  });

  it('puts together a row longer than the carry buffer starts with, over many chunks', () => {
    const long = 'x'.repeat(5000);
    const bytes = answer([`5\t${long}\tt\t1,2,3\n`, `6\tshort\tf\t4\n`]);
    const r = read(
      bytes,
      Array.from({ length: Math.floor(bytes.length / 97) }, (_, k) => (k + 1) * 97),
    );
    expect(r.rows).toEqual([
      { id: 5, name: long, flag: true, sib: [1, 2, 3] },
      { id: 6, name: 'short', flag: false, sib: [4] },
    ]);
  });

  it("keeps PostgreSQL's error and reads on to ReadyForQuery", () => {
    const bytes = Buffer.concat([
      msg('H', Buffer.from([0, 0, 0])),
      msg('d', '1\ta\tt\t1\n'),
      msg('E', errorBody({ S: 'ERROR', C: '57014', M: 'canceling statement due to user request' })),
      msg('Z', 'E'),
    ]);
    const r = read(bytes, [9, 20]);
    expect(r.done).toBe(true);
    expect(r.rows).toHaveLength(1);
    expect(r.error).toMatchObject({ message: 'canceling statement due to user request', code: '57014' });
  });

  it("keeps the sink's error, skips the rows after it, and hands back the bytes after ReadyForQuery", () => {
    const frames = new CopyFrames(new CopyRow(), (row) => {
      if (row.int(0) === 2) throw new Error('bad row 2');
    });
    const after = msg('A', 'notification');
    const rest = frames.feed(Buffer.concat([answer(['1\n', '2\n', '3\n'], [msg('N', errorBody({ M: 'a notice' }))]), after]));
    expect(frames.error?.message).toBe('bad row 2');
    expect(rest).toEqual(after);
  });
});
