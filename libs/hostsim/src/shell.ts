import { KernelError } from './errors';
import type { HostModel } from './model';
import { coreutils } from './commands/coreutils';
import { ethtool } from './commands/ethtool';
import { ovsVsctl } from './commands/ovs-vsctl';
import { grep } from './commands/grep';
import { ip } from './commands/ip';
import { lscpu } from './commands/lscpu';
import type { CommandContext, CommandHandler, CommandResult } from './commands/types';
import { vdpa } from './commands/vdpa';
import { virsh } from './commands/virsh';
import { type SimpleCommand, ShellSyntaxError, parseList, tokenize } from './shell-words';
import { fsOf } from './vfs';

const BUILTINS = new Set(['echo', 'test', '[', 'true', 'false']);
const BIN_DIRS = ['/usr/bin/', '/bin/', '/usr/sbin/', '/sbin/', '/usr/local/bin/'];

function handlerFor(name: string, m: HostModel): CommandHandler | undefined {
  const base = BIN_DIRS.find((d) => name.startsWith(d)) ? name.slice(name.lastIndexOf('/') + 1) : name;
  const table: Record<string, CommandHandler> = {
    ...coreutils,
    lscpu,
    grep,
    ip,
    ethtool,
    virsh,
    vdpa,
    ...(m.spec.ovs ? { 'ovs-vsctl': ovsVsctl } : {}),
  };
  return Object.hasOwn(table, base) ? table[base] : undefined;
}

async function runSimple(cmd: SimpleCommand, ctx: CommandContext, depth: number): Promise<CommandResult> {
  const [name, ...args] = cmd.argv;
  let local = ctx;
  if (cmd.stdinFile !== undefined) {
    const found = ctx.fs.lookup(cmd.stdinFile);
    if (!found || found.node.kind === 'dir')
      return { stdout: '', stderr: `bash: line 1: ${cmd.stdinFile}: No such file or directory\n`, code: 1 };
    const text = found.node.kind === 'file' ? found.node.read() : '';
    local = { ...ctx, readStdin: () => Promise.resolve(text) };
  }
  for (const r of cmd.redirects) {
    if (r.target === '&1' || r.target === '/dev/null') continue;
    const exists = ctx.fs.lookup(r.target);
    const parent = ctx.fs.lookup(r.target.slice(0, r.target.lastIndexOf('/')) || '/');
    const kernelFs = /^\/(sys|proc)\//.test(r.target);
    if (!exists && (kernelFs || parent?.node.kind !== 'dir')) {
      return {
        stdout: '',
        stderr: `bash: line 1: ${r.target}: ${kernelFs ? 'Permission denied' : 'No such file or directory'}\n`,
        code: 1,
      };
    }
  }
  let res: CommandResult;
  if ((name === 'sh' || name === 'bash' || name === '/bin/sh' || name === '/bin/bash') && args[0] === '-c' && args[1] !== undefined) {
    res = depth > 3 ? { stdout: '', stderr: 'bash: nesting too deep\n', code: 2 } : await runCommandLine(args[1], local, depth + 1);
  } else {
    const h = handlerFor(name, ctx.model);
    if (!h) {
      const msg = name.includes('/') ? `bash: ${name}: No such file or directory` : `bash: ${name}: command not found`;
      return { stdout: '', stderr: `${msg}\n`, code: 127 };
    }
    res = await h(args, local);
  }
  let { stdout, stderr, code } = res;
  for (const r of cmd.redirects) {
    if (r.fd === 2) {
      if (r.target === '&1') {
        stdout += stderr;
        stderr = '';
      } else if (r.target === '/dev/null') stderr = '';
      else {
        ctx.fs.write(r.target, stderr, r.append);
        stderr = '';
      }
      continue;
    }
    const data = stdout;
    stdout = '';
    if (r.target === '/dev/null') continue;
    try {
      ctx.fs.write(r.target, data, r.append);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      stderr += BUILTINS.has(name) ? `bash: line 1: ${name}: write error: ${e.message}\n` : `${name}: write error: ${e.message}\n`;
      code = 1;
    }
  }
  return { stdout, stderr, code };
}

/** Run one exec request: parse with shell rules, then run the list left to right. */
export async function runCommandLine(line: string, ctx: CommandContext, depth = 0): Promise<CommandResult> {
  let items;
  try {
    items = parseList(tokenize(line));
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    return { stdout: '', stderr: `bash: -c: line 1: ${e.message}\n`, code: 2 };
  }
  let out = '';
  let err = '';
  let code = 0;
  for (const item of items) {
    if (item.join === '&&' && code !== 0) continue;
    if (item.join === '||' && code === 0) continue;
    const r = await runSimple(item.command, { ...ctx, fs: fsOf(ctx.model) }, depth);
    out += r.stdout;
    err += r.stderr;
    code = r.code;
  }
  return { stdout: out, stderr: err, code };
}

export function makeContext(model: HostModel, readStdin: () => Promise<string>): CommandContext {
  return { model, fs: fsOf(model), readStdin };
}
