import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';

/**
 * The stack's one console. Every child writes pino JSON (or plain text on stderr); the stack
 * reads their output line by line and writes it here, tagged with the component:
 * - `json`: one JSON object per line, as pino writes them, with `component` added;
 * - `pretty`: short human lines through pino-pretty. Ids that only matter when searching logs
 *   are left out, and successful HTTP requests count as debug (the web UI polls).
 */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS;

type Entry = Record<string, unknown> & { level: number; time: number; component: string; msg: string };

const HIDDEN = ['pid', 'hostname', 'component', 'context', 'agentId', 'host', 'requestId', 'operationId', 'hostId', 'jobId', 'reqId'];

export class StackConsole {
  private readonly pretty?: (entry: Entry) => string;
  private readonly minLevel: number;
  /** on a terminal at info, until the banner, children show only warnings and errors (the stack narrates) */
  private startingUp: boolean;

  constructor(
    readonly format: 'pretty' | 'json',
    level: string,
    private readonly out: Writable & { isTTY?: boolean } = process.stdout,
  ) {
    this.minLevel = level in LEVELS ? LEVELS[level as LevelName] : level === 'silent' ? Infinity : LEVELS.info;
    this.startingUp = format === 'pretty' && this.minLevel >= LEVELS.info;
    if (format === 'pretty') {
      this.pretty = prettyFactory({
        colorize: Boolean(out.isTTY),
        translateTime: 'SYS:HH:MM:ss',
        ignore: HIDDEN.join(','),
        singleLine: true,
        messageFormat: '{component}  {msg}',
      }) as (entry: Entry) => string;
    }
  }

  log(component: string, level: LevelName, msg: string, extra: Record<string, unknown> = {}): void {
    this.emit({ level: LEVELS[level], time: Date.now(), component, msg, ...extra });
  }

  /** Forward a child's stream, one entry per line; plain text lines get `level`. */
  attach(component: string, stream: Readable, level: LevelName): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.line(component, line, level));
  }

  line(component: string, raw: string, level: LevelName): void {
    if (raw.trim() === '') return;
    const parsed = parseObject(raw);
    const entry: Entry = parsed
      ? {
          ...parsed,
          level: typeof parsed.level === 'number' ? parsed.level : LEVELS.info,
          time: Number(parsed.time ?? Date.now()),
          component,
          msg: String(parsed.msg ?? ''),
        }
      : { level: LEVELS[level], time: Date.now(), component, msg: raw.replace(new RegExp(`^(netpin-)?${component}: `), '') };
    if (this.startingUp && entry.level < LEVELS.warn) return;
    this.emit(entry);
  }

  /** The welcome block: framed on a terminal; one JSON entry otherwise. */
  banner(title: string, lines: string[], fields: Record<string, unknown>): void {
    this.startingUp = false;
    if (this.format === 'json') return this.emit({ level: LEVELS.info, time: Date.now(), component: 'stack', msg: title, ...fields });
    const width = Math.min(100, Math.max(title.length, ...lines.map((l) => l.length)) + 4);
    const rule = '═'.repeat(width);
    const bold = (s: string): string => (this.out.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
    this.out.write(['', rule, bold(`  ${title}`), '', ...lines.map((l) => (l ? `  ${l}` : '')), rule, ''].join('\n') + '\n');
  }

  private emit(entry: Entry): void {
    if (this.format === 'json') {
      if (entry.level >= this.minLevel) this.out.write(JSON.stringify(entry) + '\n');
      return;
    }
    const shown = { ...compactHttp(entry), component: entry.component.padEnd(7) };
    if (shown.level >= this.minLevel && this.pretty) this.out.write(this.pretty(shown));
  }
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** pino-http's request lines as `GET /graphql 200 12 ms`; below 400 they are debug. */
function compactHttp(entry: Entry): Entry {
  const req = entry.req as { method?: string; url?: string } | undefined;
  const res = entry.res as { statusCode?: number } | undefined;
  if (!req || !res) return entry;
  const { req: _req, res: _res, responseTime, ...rest } = entry;
  const status = res.statusCode ?? 0;
  const msg = `${req.method ?? ''} ${req.url ?? ''} ${status} ${typeof responseTime === 'number' ? `${responseTime} ms` : ''}`.trim();
  return { ...rest, msg, level: status < 400 ? Math.min(entry.level, LEVELS.debug) : entry.level };
}
