import { KernelError } from '../errors';
import { isKernelPath, parentOf, VirtualFs } from '../vfs';
import { type CommandContext, type CommandHandler, type CommandResult, fail, ok } from './types';

/** Split options from operands; "--" ends the options, and "-" alone is an operand. */
export function splitArgs(args: string[]): { opts: string[]; operands: string[] } {
  const opts: string[] = [];
  const operands: string[] = [];
  let done = false;
  for (const a of args) {
    if (!done && a === '--') done = true;
    else if (!done && a.startsWith('-') && a !== '-') opts.push(a);
    else operands.push(a);
  }
  return { opts, operands };
}

function errText(e: unknown): string {
  if (e instanceof KernelError) return e.message;
  throw e;
}

async function readPath(ctx: CommandContext, path: string): Promise<string> {
  if (path === '-' || path === '/dev/stdin') return ctx.readStdin();
  const found = ctx.fs.lookup(path);
  if (!found) throw new KernelError('ENOENT');
  switch (found.node.kind) {
    case 'dir':
      throw new KernelError('EISDIR');
    case 'chardev':
      return '';
    case 'link':
      throw new KernelError('ENOENT');
    case 'file':
      return found.node.read();
  }
}

/** Read a file's content the way `cat` would, for other commands (virsh define FILE). */
export async function readFileLike(ctx: CommandContext, path: string): Promise<string> {
  return readPath(ctx, path);
}

const cat: CommandHandler = async (args, ctx) => {
  const { opts, operands: files } = splitArgs(args);
  const bad = opts[0];
  if (bad !== undefined) return fail(1, `cat: invalid option -- '${bad.slice(1)}'\nTry 'cat --help' for more information.`);
  if (files.length === 0) files.push('-');
  let out = '';
  let err = '';
  for (const f of files) {
    try {
      out += await readPath(ctx, f);
    } catch (e) {
      err += `cat: ${f}: ${errText(e)}\n`;
    }
  }
  return { stdout: out, stderr: err, code: err === '' ? 0 : 1 };
};

const ls: CommandHandler = (args, ctx) => {
  const { opts, operands: paths } = splitArgs(args);
  const dirOnly = opts.some((a) => /^-[a-zA-Z1]*d/.test(a));
  if (paths.length === 0) paths.push('/root');
  let err = '';
  const blocks: string[] = [];
  const files: string[] = [];
  // GNU ls prints file operands first, sorted, then each directory's listing.
  for (const p of [...paths].sort()) {
    const found = ctx.fs.lookup(p);
    if (!found) {
      err += `ls: cannot access '${p}': No such file or directory\n`;
      continue;
    }
    if (found.node.kind !== 'dir' || dirOnly) files.push(p);
    else {
      const names = ctx.fs.list(p);
      blocks.push(paths.length > 1 ? `${p}:\n${names.map((n) => `${n}\n`).join('')}` : names.map((n) => `${n}\n`).join(''));
    }
  }
  const out = files.map((f) => `${f}\n`).join('') + (files.length > 0 && blocks.length > 0 ? '\n' : '') + blocks.join('\n');
  return { stdout: out, stderr: err, code: err === '' ? 0 : 2 };
};

const readlink: CommandHandler = (args, ctx) => {
  const { opts, operands: paths } = splitArgs(args);
  const canon = opts.some((a) => /^-[a-z]*[fem]/.test(a) || a === '--canonicalize');
  if (paths.length === 0) return fail(1, "readlink: missing operand\nTry 'readlink --help' for more information.");
  let out = '';
  let code = 0;
  for (const p of paths) {
    if (canon) {
      const found = ctx.fs.lookup(p);
      if (found) out += `${found.path}\n`;
      else code = 1;
      continue;
    }
    const found = ctx.fs.lookup(p, false);
    if (found?.node.kind === 'link') out += `${found.node.target}\n`;
    else code = 1;
  }
  return { stdout: out, stderr: '', code };
};

function testExpr(args: string[], ctx: CommandContext): CommandResult {
  const t = (b: boolean): CommandResult => ({ stdout: '', stderr: '', code: b ? 0 : 1 });
  if (args.length === 0) return t(false);
  if (args[0] === '!') return t(testExpr(args.slice(1), ctx).code !== 0);
  if (args.length === 1) return t(args[0] !== '');
  if (args.length === 2) {
    const [op, p] = args;
    const node = ctx.fs.lookup(p)?.node;
    switch (op) {
      case '-e':
        return t(node !== undefined);
      case '-f':
        return t(node?.kind === 'file');
      case '-d':
        return t(node?.kind === 'dir');
      case '-c':
        return t(node?.kind === 'chardev');
      case '-L':
      case '-h':
        return t(ctx.fs.lookup(p, false)?.node.kind === 'link');
      case '-r':
      case '-w':
        return t(node !== undefined);
      case '-s':
        return t(node?.kind === 'file' && node.read() !== '');
      case '-n':
        return t(p !== '');
      case '-z':
        return t(p === '');
      default:
        return fail(2, `test: ${op}: unary operator expected`);
    }
  }
  if (args.length === 3) {
    const [a, op, b] = args;
    switch (op) {
      case '=':
      case '==':
        return t(a === b);
      case '!=':
        return t(a !== b);
      case '-eq':
        return t(Number(a) === Number(b));
      case '-ne':
        return t(Number(a) !== Number(b));
      case '-lt':
        return t(Number(a) < Number(b));
      case '-gt':
        return t(Number(a) > Number(b));
      default:
        return fail(2, `test: ${op}: binary operator expected`);
    }
  }
  return fail(2, 'test: too many arguments');
}

const tee: CommandHandler = async (args, ctx) => {
  const { opts, operands: files } = splitArgs(args);
  const append = opts.includes('-a') || opts.includes('--append');
  const data = await ctx.readStdin();
  let err = '';
  for (const f of files) {
    try {
      ctx.fs.write(f, data, append);
    } catch (e) {
      err += `tee: ${f}: ${errText(e)}\n`;
    }
  }
  return { stdout: data, stderr: err, code: err === '' ? 0 : 1 };
};

/**
 * The first ancestor of an absolute `raw` that is missing or not a folder, named as coreutils
 * names it: the operand up to that component as written ('/tmp/f' of '/tmp/f//a/b').
 */
function ancestorProblem(ctx: CommandContext, raw: string): { prefix: string; kind: 'missing' | 'notdir' } | undefined {
  const parts = [...raw.matchAll(/[^/]+/g)];
  for (const m of parts.slice(0, -1)) {
    const prefix = raw.slice(0, m.index + m[0].length);
    const found = ctx.fs.lookup(prefix);
    if (found === undefined) return { prefix, kind: 'missing' };
    if (found.node.kind !== 'dir') return { prefix, kind: 'notdir' };
  }
  return undefined;
}

/**
 * mkdir [-p] DIR...: folders outside the kernel filesystems (the model keeps them). A regular
 * file on the way is ENOTDIR, with -p naming that file (mkdir -p creates component by component).
 */
const mkdir: CommandHandler = (args, ctx) => {
  const { opts, operands } = splitArgs(args);
  const parents = opts.some((o) => o === '-p' || o === '--parents');
  let err = '';
  const refuse = (name: string, why: string): void => void (err += `mkdir: cannot create directory '${name}': ${why}\n`);
  for (const raw of operands) {
    const p = VirtualFs.normalize(raw);
    if (p === undefined || isKernelPath(p)) {
      refuse(raw, 'Permission denied');
      continue;
    }
    const problem = ancestorProblem(ctx, raw);
    const existing = ctx.fs.lookup(p);
    if (problem?.kind === 'notdir') refuse(parents ? problem.prefix : raw, 'Not a directory');
    else if (existing !== undefined) {
      if (!parents || existing.node.kind !== 'dir') refuse(raw, 'File exists');
    } else if (problem !== undefined && !parents) refuse(raw, 'No such file or directory');
    else for (let d = p; d !== '' && !ctx.model.dirs.has(d); d = parentOf(d)) ctx.model.dirs.add(d);
  }
  return { stdout: '', stderr: err, code: err === '' ? 0 : 1 };
};

/** rm [-f] FILE...: scratch files only; -f makes a missing file no error, as in coreutils. */
const rm: CommandHandler = (args, ctx) => {
  const { opts, operands } = splitArgs(args);
  const force = opts.some((o) => /^-[a-zA-Z]*f/.test(o) || o === '--force');
  let err = '';
  for (const raw of operands) {
    const p = VirtualFs.normalize(raw) ?? raw;
    if (ctx.model.files.delete(p)) continue;
    const found = ctx.fs.lookup(p, false);
    if (found === undefined) {
      if (!force) err += `rm: cannot remove '${raw}': No such file or directory\n`;
    } else if (found.node.kind === 'dir') err += `rm: cannot remove '${raw}': Is a directory\n`;
    else err += `rm: cannot remove '${raw}': Operation not permitted\n`;
  }
  return { stdout: '', stderr: err, code: err === '' ? 0 : 1 };
};

const systemctl: CommandHandler = (args, ctx) => {
  const verb = args.find((a) => !a.startsWith('-'));
  const unit = args.filter((a) => !a.startsWith('-'))[1]?.replace(/\.service$/, '');
  if (verb === undefined) return fail(1, 'systemctl: hostsim supports only is-active/start/stop/enable/disable');
  const known = unit === 'irqbalance' || unit === 'libvirtd' || (unit === 'openvswitch-switch' && ctx.model.spec.ovs);
  const active = unit === 'irqbalance' ? ctx.model.irqbalanceActive : known;
  switch (verb) {
    case 'is-active':
      return { stdout: active ? 'active\n' : 'inactive\n', stderr: '', code: active ? 0 : 3 };
    case 'start':
    case 'stop':
    case 'restart':
    case 'enable':
    case 'disable':
      if (!known) return fail(5, `Failed to ${verb} ${unit ?? ''}.service: Unit ${unit ?? ''}.service not found.`);
      if (unit === 'irqbalance') {
        if (verb === 'stop' || (verb === 'disable' && args.includes('--now'))) ctx.model.irqbalanceActive = false;
        if (verb === 'start' || verb === 'restart' || (verb === 'enable' && args.includes('--now'))) ctx.model.irqbalanceActive = true;
      }
      return ok();
    default:
      return fail(1, `Unknown command verb ${verb}.`);
  }
};

const uname: CommandHandler = (args, ctx) => {
  const s = ctx.model.spec;
  const flags = args.join('');
  if (flags.includes('a')) return ok(`Linux ${s.hostname} ${s.kernelRelease} #1 SMP PREEMPT_DYNAMIC Debian x86_64 GNU/Linux\n`);
  const parts: string[] = [];
  if (flags === '' || flags.includes('s')) parts.push('Linux');
  if (flags.includes('n')) parts.push(s.hostname);
  if (flags.includes('r')) parts.push(s.kernelRelease);
  if (flags.includes('m')) parts.push('x86_64');
  return ok(`${parts.join(' ')}\n`);
};

export const coreutils: Record<string, CommandHandler> = {
  cat,
  ls,
  readlink,
  tee,
  mkdir,
  rm,
  systemctl,
  uname,
  test: (args, ctx) => testExpr(args, ctx),
  '[': (args, ctx) => (args[args.length - 1] !== ']' ? fail(2, "[: missing `]'") : testExpr(args.slice(0, -1), ctx)),
  echo: (args) => (args[0] === '-n' ? ok(args.slice(1).join(' ')) : ok(`${args.join(' ')}\n`)),
  true: () => ok(),
  false: () => ({ stdout: '', stderr: '', code: 1 }),
  hostname: (_a, ctx) => ok(`${ctx.model.spec.hostname}\n`),
  nproc: (_a, ctx) => ok(`${ctx.model.nrCpus}\n`),
  whoami: (_a, ctx) => ok(`${ctx.model.spec.user}\n`),
};
