import { formatCpuList, parseCpuList } from '@netpin/contracts';
import { DomainStartError, applyStart, applyStop, checkStart, normalizeDefinition, sendAcpi } from '../domain';
import { deviceCommand, detachAlias } from './virsh-devices';
import { domjobabort, domjobinfo, migrate } from './virsh-migrate';
import { KernelError } from '../errors';
import type { DomainRecord, HostModel } from '../model';
import { type XmlElement, XmlSyntaxError, child, element, insertAfter, parseXml, renderXml, select } from '../xml-tree';
import { readFileLike } from './coreutils';
import { type CommandContext, type CommandHandler, type CommandResult, fail, ok } from './types';

/** virsh (libvirt 9.x) against the simulated qemu driver. */

const notFound = (name: string): CommandResult => fail(1, `error: failed to get domain '${name}'`);

function findDomain(m: HostModel, key: string): DomainRecord | undefined {
  const byName = m.domains.get(key);
  if (byName) return byName;
  return [...m.domains.values()].find((d) => d.uuid === key || (d.id !== undefined && String(d.id) === key));
}

async function define(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const file = args.find((a) => !a.startsWith('--'));
  if (file === undefined) return fail(1, "error: command 'define' requires <file> option");
  let text: string;
  try {
    text = await readFileLike(ctx, file);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return fail(1, `error: Failed to open file '${file}': ${e.message}`);
  }
  const failDefine = (msg: string): CommandResult => fail(1, `error: Failed to define domain from ${file}\nerror: ${msg}`);
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    return failDefine(`(domain_definition):${e.line}: ${e.message}`);
  }
  const m = ctx.model;
  const norm = normalizeDefinition(root, m.spec.hostname, m.domains.size + m.nextDomainId * 1000 + m.bootCount);
  if (typeof norm === 'string') return failDefine(norm);
  const name = child(norm, 'name')?.text.trim() ?? '';
  const uuidEl = child(norm, 'uuid');
  const existing = m.domains.get(name);
  if (existing) {
    if (uuidEl && uuidEl.text.trim() !== existing.uuid && root.children.some((c) => c.name === 'uuid')) {
      return failDefine(`operation failed: domain '${name}' already exists with uuid ${existing.uuid}`);
    }
    if (uuidEl) uuidEl.text = existing.uuid;
    existing.config = norm;
    existing.persistent = true;
  } else {
    const uuid = uuidEl?.text.trim() ?? '';
    const clash = [...m.domains.values()].find((d) => d.uuid === uuid);
    if (clash) return failDefine(`operation failed: domain '${clash.name}' already exists with uuid ${uuid}`);
    m.domains.set(name, { name, uuid, config: norm, persistent: true, held: { pci: [], hugepages: [] } });
  }
  return ok(`Domain '${name}' defined from ${file}\n\n`);
}

function list(m: HostModel, args: string[]): CommandResult {
  const all = args.includes('--all');
  const inactiveOnly = args.includes('--inactive');
  const doms = [...m.domains.values()]
    .filter((d) => (inactiveOnly ? !d.live : all || d.live))
    .sort((a, b) => (a.id ?? Infinity) - (b.id ?? Infinity) || a.name.localeCompare(b.name));
  if (args.includes('--name')) return ok(`${doms.map((d) => `${d.name}\n`).join('')}\n`);
  const rows = doms.map((d) => [d.id !== undefined ? String(d.id) : '-', d.name, d.live ? 'running' : 'shut off']);
  // vshTable layout: " cell" padded to the column width + 2, and a rule of width + 3 per column.
  const w = [2, 4, 5].map((min, i) => Math.max(min, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => ` ${r[0].padEnd(w[0])}   ${r[1].padEnd(w[1])}   ${r[2]}`;
  const rule = '-'.repeat(w.reduce((a, x) => a + x + 3, 0));
  return ok(`${line(['Id', 'Name', 'State'])}\n${rule}\n${rows.map((r) => `${line(r)}\n`).join('')}\n`);
}

const notRunning = (verb: string, d: DomainRecord): CommandResult =>
  fail(1, `error: Failed to ${verb} domain '${d.name}'\nerror: Requested operation is not valid: domain is not running`);

function start(m: HostModel, d: DomainRecord): CommandResult {
  // virsh itself checks first: no "Failed to start" line.
  if (d.live) return fail(1, 'error: Domain is already active');
  try {
    const held = checkStart(m, d);
    applyStart(m, d, held);
  } catch (e) {
    if (!(e instanceof DomainStartError)) throw e;
    // libvirt gives the domain its id before it finds out the start cannot work: the id is used up.
    m.nextDomainId++;
    return fail(1, `error: Failed to start domain '${d.name}'\nerror: ${e.message}`);
  }
  return ok(`Domain '${d.name}' started\n\n`);
}

/** Where a pin change goes: the live XML, the persistent one, or both (virsh's flags). */
function targets(d: DomainRecord, args: string[]): XmlElement[] | string {
  const live = args.includes('--live');
  const config = args.includes('--config');
  if (live && !d.live) return 'Requested operation is not valid: domain is not running';
  const out: XmlElement[] = [];
  if (live || (!config && d.live)) out.push(d.live as XmlElement);
  if (config || (!live && !d.live)) out.push(d.config);
  return out;
}

function setPin(x: XmlElement, tag: 'vcpupin' | 'emulatorpin', cpuset: string, vcpu?: number): void {
  let cputune = child(x, 'cputune');
  if (!cputune) {
    cputune = element('cputune');
    insertAfter(x, cputune, ['vcpu', 'iothreads', 'currentMemory']);
  }
  const existing = cputune.children.find((c) => c.name === tag && (vcpu === undefined || c.attrs.vcpu === String(vcpu)));
  if (existing) existing.attrs.cpuset = cpuset;
  else if (tag === 'vcpupin') insertAfter(cputune, element(tag, { vcpu: String(vcpu), cpuset }), ['vcpupin']);
  else insertAfter(cputune, element(tag, { cpuset }), ['vcpupin']);
}

function pinCommand(m: HostModel, args: string[], tag: 'vcpupin' | 'emulatorpin'): CommandResult {
  const pos = args.filter((a) => !a.startsWith('--'));
  const d = pos[0] === undefined ? undefined : findDomain(m, pos[0]);
  if (pos[0] === undefined) return fail(1, `error: command '${tag}' requires <domain> option`);
  if (!d) return notFound(pos[0]);
  const x = d.live ?? d.config;
  const allCpus = formatCpuList(m.allCpus());
  const nvcpu = Number(child(x, 'vcpu')?.text ?? '1');
  const vcpu = tag === 'vcpupin' ? pos[1] : undefined;
  const cpulist = tag === 'vcpupin' ? pos[2] : pos[1];
  if (tag === 'vcpupin' && vcpu !== undefined && (!/^\d+$/.test(vcpu) || Number(vcpu) >= nvcpu)) {
    return fail(
      1,
      `error: invalid argument: vcpu ${vcpu} is out of range of ${d.live && !args.includes('--config') ? 'live' : 'persistent'} cpu count ${nvcpu}`,
    );
  }
  if (cpulist === undefined) {
    const pinOf = (v?: number): string =>
      select(x, `cputune/${tag}`).find((p) => v === undefined || p.attrs.vcpu === String(v))?.attrs.cpuset ??
      child(x, 'vcpu')?.attrs.cpuset ??
      allCpus;
    if (tag === 'emulatorpin')
      return ok(`emulator: CPU Affinity\n----------------------------------\n       *: ${formatCpuList(parseCpuList(pinOf()))}\n\n`);
    const vs = vcpu !== undefined ? [Number(vcpu)] : Array.from({ length: nvcpu }, (_, i) => i);
    return ok(
      ` VCPU   CPU Affinity\n----------------------\n${vs.map((v) => ` ${String(v).padEnd(6)} ${formatCpuList(parseCpuList(pinOf(v)))}\n`).join('')}\n`,
    );
  }
  let cpus: number[];
  try {
    cpus = parseCpuList(cpulist);
  } catch {
    return fail(1, `error: Invalid cpulist '${cpulist}'`);
  }
  const beyond = cpus.find((c) => c >= m.nrCpus);
  if (beyond !== undefined) return fail(1, `error: CPU ${beyond} in cpulist '${cpulist}' exceed the maxcpu ${m.nrCpus}`);
  if (cpus.length === 0 || cpus.some((c) => !m.hasCpu(c)))
    return fail(1, `error: Invalid value '${cpulist}' for 'cpuset.cpus': Invalid argument`);
  const where = targets(d, args);
  if (typeof where === 'string') return fail(1, `error: ${where}`);
  for (const t of where) setPin(t, tag, formatCpuList(cpus), vcpu === undefined ? undefined : Number(vcpu));
  return ok('\n');
}

function nodeinfo(m: HostModel): string {
  const c = m.spec.cpu;
  const mem = m.spec.numaNodes.reduce((a, n) => a + n.memoryMiB * 1024, 0);
  const row = (k: string, v: string | number): string => `${`${k}:`.padEnd(21)}${v}`;
  return `${[
    row('CPU model', 'x86_64'),
    row('CPU(s)', m.nrCpus),
    row('CPU frequency', `${c.mhz} MHz`),
    row('CPU socket(s)', 1),
    row('Core(s) per socket', c.coresPerSocket),
    row('Thread(s) per core', c.threadsPerCore),
    row('NUMA cell(s)', m.spec.numaNodes.length),
    row('Memory size', `${mem} KiB`),
  ].join('\n')}\n\n`;
}

/** `virsh undefine`: a transient domain cannot be; a running one becomes transient, a stopped one goes. */
function undefine(m: HostModel, d: DomainRecord): CommandResult {
  if (!d.persistent)
    return fail(
      1,
      `error: Failed to undefine domain '${d.name}'\nerror: Requested operation is not valid: cannot undefine transient domain`,
    );
  if (d.live) d.persistent = false;
  else m.domains.delete(d.name);
  return ok(`Domain '${d.name}' has been undefined\n\n`);
}

/** `virsh domstate [--reason]`. */
function domstate(d: DomainRecord, args: string[]): CommandResult {
  const state = d.live ? 'running' : 'shut off';
  if (!args.includes('--reason')) return ok(`${state}\n\n`);
  return ok(`${state} (${d.reason ?? (d.live ? 'booted' : 'unknown')})\n\n`);
}

/** virsh prints an empty line after every command, on stdout, whether it worked or not. */
export const virsh: CommandHandler = async (argv, ctx) => {
  const r = await virshCommand(argv, ctx);
  return r.code !== 0 && r.stdout === '' ? { ...r, stdout: '\n' } : r;
};

const virshCommand: CommandHandler = async (argv, ctx) => {
  const m = ctx.model;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    if (argv[i] === '-c' || argv[i] === '--connect') i++;
  }
  const [cmd, ...args] = argv.slice(i);
  const name = args.find((a) => !a.startsWith('--'));
  const need = (): DomainRecord | CommandResult => {
    if (name === undefined) return fail(1, `error: command '${cmd}' requires <domain> option`);
    return findDomain(m, name) ?? notFound(name);
  };
  const isResult = (x: DomainRecord | CommandResult): x is CommandResult => 'code' in x;
  switch (cmd) {
    case undefined:
      return fail(1, 'error: hostsim virsh has no interactive shell');
    case 'define':
      return define(ctx, args);
    case 'list':
      return list(m, args);
    case 'start': {
      const d = need();
      return isResult(d) ? d : start(m, d);
    }
    case 'destroy': {
      const d = need();
      if (isResult(d)) return d;
      if (!d.live) return notRunning('destroy', d);
      applyStop(m, d);
      return ok(`Domain '${d.name}' destroyed\n\n`);
    }
    case 'shutdown':
    case 'reboot': {
      const d = need();
      if (isResult(d)) return d;
      if (!d.live) return notRunning(cmd, d);
      sendAcpi(m, d, cmd);
      return ok(`Domain '${d.name}' is being ${cmd === 'shutdown' ? 'shutdown' : 'rebooted'}\n\n`);
    }
    case 'undefine': {
      const d = need();
      return isResult(d) ? d : undefine(m, d);
    }
    case 'dumpxml': {
      const d = need();
      if (isResult(d)) return d;
      // virsh prints the document, then an empty line.
      return ok(`${renderXml(args.includes('--inactive') ? d.config : (d.live ?? d.config))}\n`);
    }
    case 'domstate': {
      const d = need();
      return isResult(d) ? d : domstate(d, args);
    }
    case 'domuuid': {
      const d = need();
      return isResult(d) ? d : ok(`${d.uuid}\n\n`);
    }
    case 'attach-device':
    case 'detach-device': {
      const d = need();
      if (isResult(d)) return d;
      const file = args.filter((a) => !a.startsWith('--'))[1];
      if (file === undefined) return fail(1, `error: command '${cmd}' requires <file> option`);
      return deviceCommand(ctx, cmd === 'attach-device' ? 'attach' : 'detach', d, file, args);
    }
    case 'vcpupin':
      return pinCommand(m, args, 'vcpupin');
    case 'emulatorpin':
      return pinCommand(m, args, 'emulatorpin');
    case 'nodeinfo':
      return ok(nodeinfo(m));
    case 'version':
      return ok(
        'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.0\n\n',
      );
    default:
      return migrationCommand(cmd, args, ctx, need);
  }
};

/** The commands a migration adds: migrate, domjobinfo, domjobabort, detach-device-alias (a failover VF alone). */
async function migrationCommand(
  cmd: string,
  args: string[],
  ctx: CommandContext,
  need: () => DomainRecord | CommandResult,
): Promise<CommandResult> {
  if (cmd === 'migrate') return migrate(ctx, args);
  if (cmd !== 'domjobinfo' && cmd !== 'domjobabort' && cmd !== 'detach-device-alias') return fail(1, `error: unknown command: '${cmd}'`);
  const d = need();
  if ('code' in d) return d;
  if (cmd === 'domjobinfo') return domjobinfo(d, ctx.model);
  return cmd === 'domjobabort' ? domjobabort(d) : detachAlias(ctx.model, d, args);
}
