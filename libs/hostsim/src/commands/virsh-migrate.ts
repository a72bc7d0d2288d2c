import { setTimeout as sleep } from 'node:timers/promises';
import { DomainStartError, applyStart, applyStop, checkStart, makeUuid, normalizeDefinition } from '../domain';
import { KernelError } from '../errors';
import type { DomainRecord, HostModel, MigrationPhase } from '../model';
import { parsePeerUri, peerAt } from '../peers';
import { type XmlElement, XmlSyntaxError, child, parseXml, select } from '../xml-tree';
import { readFileLike } from './coreutils';
import { type CommandContext, type CommandResult, fail, ok } from './types';

/**
 * `virsh migrate [--live] [--p2p] [--persistent] [--undefinesource] [--xml FILE]
 * [--persistent-xml FILE] [--verbose] DOMAIN DESTURI` between simulated hosts of one process
 * (peers.ts). Like libvirt: the target is prepared first (the definition checked and the
 * resources a start needs claimed there, with a start's error texts), then the memory is
 * copied (memory / migration.bandwidthMiBps, visible to `virsh domjobinfo`), then the domain
 * runs on the target and is gone from the source. A failure at any phase leaves the domain
 * running on the source and nothing on the target. Faults: model.migration.faults.
 *
 * What libvirt 9.0 prints, as recorded from real virsh between two real libvirtds
 * (libs/host-ops/src/__fixtures__/real/virsh-migrate.json, and the differential test
 * tools/realhost/src/differential/migrate.spec.ts): the source checks the target XML against
 * the running domain first (uuid, name, CPU, devices: libvirt's ABI check), then the target
 * refuses a name or uuid it already holds and prepares like a start. With --p2p the source
 * libvirtd talks to the target itself and every failure after the connection comes back to
 * virsh only as "End of file while reading data" (the reason goes to libvirtd's log).
 */
const VALUE_OPTS = new Set(['--xml', '--persistent-xml', '--migrateuri', '--listen-address', '--dname', '--timeout', '--bandwidth']);

interface MigrateArgs {
  flags: Set<string>;
  values: Map<string, string>;
  dom?: string;
  desturi?: string;
}

function parseArgs(args: string[]): MigrateArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (VALUE_OPTS.has(a)) values.set(a, args[++i] ?? '');
    else if (a.startsWith('--')) flags.add(a);
    else pos.push(a);
  }
  return { flags, values, dom: pos[0], desturi: pos[1] };
}

/** One injected fault at `phase`, used up as it fires. */
function faultAt(m: HostModel, phase: MigrationPhase): boolean {
  const f = m.migration.faults.find((x) => x.phase === phase && (x.times === undefined || x.times > 0));
  if (!f) return false;
  if (f.times === undefined || f.times <= 1) m.migration.faults.splice(m.migration.faults.indexOf(f), 1);
  else f.times--;
  return true;
}

const connectError = (host: string, port: number): CommandResult =>
  fail(1, `error: Cannot recv data: ssh: connect to host ${host} port ${port}: Connection refused: Connection reset by peer`);

/** What virsh gets from a --p2p migration that failed once the source libvirtd had connected to the target. */
const P2P_LOST = 'error: End of file while reading data: : Input/output error';

async function readXmlFile(ctx: CommandContext, file: string): Promise<XmlElement | CommandResult> {
  try {
    return parseXml(await readFileLike(ctx, file));
  } catch (e) {
    if (e instanceof KernelError) return fail(1, `error: Failed to open file '${file}': ${e.message}`);
    if (e instanceof XmlSyntaxError) return fail(1, `error: (domain_definition):${e.line}: ${e.message}`);
    throw e;
  }
}

const macsOf = (x: XmlElement): string[] => select(x, 'devices/interface').map((i) => child(i, 'mac')?.attrs.address?.toLowerCase() ?? '');

/**
 * The controllers libvirt 9.0 gives a q35 domain without disks: usb, sata, pcie-root and one
 * pcie-root-port per PCIe device (each NIC, the USB controller, the memballoon) plus one spare.
 * hostsim does not model controllers; this count is what the ABI check compares first.
 */
const controllerCount = (x: XmlElement): number => 3 + macsOf(x).length + 3;

/**
 * libvirt's ABI check of the target XML against the running domain (virDomainDefCheckABIStability),
 * in its order, on what netpin can change; null when it passes. Both are normalised definitions.
 */
function abiDifference(target: XmlElement, source: XmlElement): string | null {
  const text = (x: XmlElement, path: string): string => select(x, path)[0]?.text.trim() ?? '';
  const differ = (what: string, t: string, s: string) => `error: unsupported configuration: Target ${what} ${t} does not match source ${s}`;
  if (target.attrs.type !== source.attrs.type) return differ('domain virt type', target.attrs.type ?? '', source.attrs.type ?? '');
  if (text(target, 'uuid') !== text(source, 'uuid')) return differ('domain uuid', text(target, 'uuid'), text(source, 'uuid'));
  if (text(target, 'name') !== text(source, 'name')) return differ('domain name', `'${text(target, 'name')}'`, `'${text(source, 'name')}'`);
  const [tc, sc] = [child(target, 'cpu'), child(source, 'cpu')];
  if ((tc?.attrs.mode ?? 'custom') !== (sc?.attrs.mode ?? 'custom'))
    return differ('CPU mode', tc?.attrs.mode ?? 'custom', sc?.attrs.mode ?? 'custom');
  if ((tc?.attrs.check ?? 'none') !== (sc?.attrs.check ?? 'none'))
    return differ('CPU check', tc?.attrs.check ?? 'none', sc?.attrs.check ?? 'none');
  if (text(target, 'cpu/model') !== text(source, 'cpu/model'))
    return differ('CPU model', text(target, 'cpu/model'), text(source, 'cpu/model'));
  const q35 = (x: XmlElement) => text(x, 'os/type') === 'hvm' && (select(x, 'os/type')[0]?.attrs.machine ?? '').startsWith('pc-q35');
  const [tm, sm] = [macsOf(target), macsOf(source)];
  if (q35(target) && q35(source) && tm.length !== sm.length)
    return differ('domain controller count', String(controllerCount(target)), String(controllerCount(source)));
  if (tm.length !== sm.length) return differ('domain net card count', String(tm.length), String(sm.length));
  const k = tm.findIndex((mac, i) => mac !== sm[i]);
  return k < 0 ? null : differ('network card mac', tm[k], sm[k]);
}

/** The definitions the target will run and keep, normalised there; or libvirt's refusal. */
async function targetDefinitions(
  ctx: CommandContext,
  a: MigrateArgs,
  d: DomainRecord,
  peer: HostModel,
): Promise<{ live: XmlElement; persistent: XmlElement } | CommandResult> {
  const read = async (opt: string): Promise<XmlElement | CommandResult | undefined> => {
    const file = a.values.get(opt);
    return file === undefined ? undefined : readXmlFile(ctx, file);
  };
  const given = await read('--xml');
  const givenPersistent = await read('--persistent-xml');
  for (const x of [given, givenPersistent]) if (x && 'code' in x) return x;
  const source = d.live as XmlElement;
  // A given XML without <uuid> gets a fresh one, which then does not match the running domain's.
  const seq = peer.domains.size + peer.nextDomainId * 1000 + peer.bootCount + Date.now();
  const normLive = normalizeDefinition((given as XmlElement | undefined) ?? source, peer.spec.hostname, seq);
  // Without --persistent-xml the target keeps the source's persistent definition, not --xml.
  const persistentSrc =
    (givenPersistent as XmlElement | undefined) ?? (d.persistent ? d.config : ((given as XmlElement | undefined) ?? source));
  const normPersistent = normalizeDefinition(persistentSrc, peer.spec.hostname, seq);
  for (const n of [normLive, normPersistent]) if (typeof n === 'string') return fail(1, `error: ${n}`);
  const abi = abiDifference(normLive as XmlElement, source);
  if (abi !== null) return fail(1, abi);
  const u = child(normPersistent as XmlElement, 'uuid');
  if (u) u.text = d.uuid;
  return { live: normLive as XmlElement, persistent: normPersistent as XmlElement };
}

/** The target's side before any byte moves: no domain holding its uuid or name, as virDomainObjListAdd checks. */
function prepareTarget(peer: HostModel, d: DomainRecord, defs: { live: XmlElement }): DomainRecord | CommandResult {
  const sameUuid = [...peer.domains.values()].find((x) => x.uuid === d.uuid);
  if (sameUuid && sameUuid.name !== d.name)
    return fail(1, `error: operation failed: domain '${sameUuid.name}' is already defined with uuid ${sameUuid.uuid}`);
  const existing = peer.domains.get(d.name);
  if (existing?.live) return fail(1, `error: Requested operation is not valid: domain '${d.name}' is already active`);
  if (existing && existing.uuid !== d.uuid)
    return fail(1, `error: operation failed: domain '${d.name}' already exists with uuid ${existing.uuid}`);
  return { name: d.name, uuid: d.uuid, config: defs.live, persistent: false, held: { pci: [], hugepages: [] } };
}

/** This libvirtd's host UUID (`virsh capabilities`), one per simulated hostname. */
const hostUuid = (m: HostModel): string => makeUuid(m.spec.hostname, 'host-uuid', 0);

export async function migrate(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const m = ctx.model;
  const a = parseArgs(args);
  if (a.dom === undefined) return fail(1, "error: command 'migrate' requires <domain> option");
  if (a.desturi === undefined) return fail(1, "error: command 'migrate' requires <desturi> option");
  const d = m.domains.get(a.dom) ?? [...m.domains.values()].find((x) => x.uuid === a.dom);
  if (!d) return fail(1, `error: failed to get domain '${a.dom}'`);
  const p2p = a.flags.has('--p2p');
  const notRunning = fail(1, 'error: Requested operation is not valid: domain is not running');
  // virsh connects to the target before the source checks the domain; a --p2p source checks first.
  if (p2p && !d.live) return notRunning;
  const uri = parsePeerUri(a.desturi);
  if (!uri)
    return fail(1, `error: unsupported configuration: hostsim reaches only qemu+ssh|tcp|tls://host[:port]/system, not '${a.desturi}'`);
  const peer = peerAt(uri);
  if (!peer || faultAt(m, 'connect')) return connectError(uri.host, uri.port);
  if (!d.live) return notRunning;
  if (d.migrating)
    return fail(
      1,
      'error: Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainMigratePerform3Params)',
    );
  // the job exists from the target's prepare on (domjobinfo shows it, without data, and domjobabort ends it)
  d.migrating = { startedAt: Date.now(), totalMs: 0, totalBytes: 0 };
  try {
    const refused = await beforeTransfer(ctx, a, d, peer);
    if ('code' in refused) return p2p ? fail(1, P2P_LOST) : refused;
    return await transfer(m, peer, d, a, refused);
  } finally {
    d.migrating = undefined;
  }
}

type Prepared = { live: XmlElement; persistent: XmlElement; incoming: DomainRecord; held: DomainRecord['held'] };

/** Everything up to the copy: the ABI check on the source, then the target's prepare. */
async function beforeTransfer(ctx: CommandContext, a: MigrateArgs, d: DomainRecord, peer: HostModel): Promise<Prepared | CommandResult> {
  const m = ctx.model;
  if (peer === m) return fail(1, `error: internal error: Attempt to migrate guest to the same host ${hostUuid(m)}`);
  const defs = await targetDefinitions(ctx, a, d, peer);
  if ('code' in defs) return defs;
  const incoming = prepareTarget(peer, d, defs);
  if ('code' in incoming) return incoming;
  let held: DomainRecord['held'];
  try {
    held = checkStart(peer, incoming);
  } catch (e) {
    if (!(e instanceof DomainStartError)) throw e;
    return fail(1, `error: ${e.message}`);
  }
  if (faultAt(m, 'prepare'))
    return fail(
      1,
      'error: internal error: qemu unexpectedly closed the monitor: qemu-system-x86_64: load of migration failed: Input/output error',
    );
  return { ...defs, incoming, held };
}

const progressLine = (pct: number): string => `\rMigration: [${String(pct).padStart(3)} %]`;

/** Copies the memory in steps of at most 500 ms (virsh --verbose prints a progress line per step); domjobabort stops it. */
async function copy(
  m: HostModel,
  d: DomainRecord,
  verbose: boolean,
): Promise<{ progress: string; outcome: 'done' | 'failed' | 'aborted' }> {
  const memKiB = Number(child(d.config, 'memory')?.text ?? '0');
  const totalMs = Math.max(m.migration.minMs, Math.round((memKiB / 1024 / m.migration.bandwidthMiBps) * 1000));
  const job = d.migrating ?? { startedAt: Date.now(), totalMs, totalBytes: 0 };
  Object.assign(job, { copyStartedAt: Date.now(), totalMs, totalBytes: memKiB * 1024 });
  d.migrating = job;
  const failing = faultAt(m, 'transfer');
  const until = failing ? Math.round(totalMs / 2) : totalMs;
  let progress = '';
  try {
    for (let elapsed = 0; elapsed < until && !job.aborted;) {
      const step = Math.min(500, until - elapsed);
      await sleep(step);
      elapsed += step;
      if (verbose) progress += progressLine(Math.floor((elapsed * 100) / totalMs));
    }
  } finally {
    d.migrating = undefined;
  }
  return { progress, outcome: job.aborted ? 'aborted' : failing ? 'failed' : 'done' };
}

async function transfer(m: HostModel, peer: HostModel, d: DomainRecord, a: MigrateArgs, t: Prepared): Promise<CommandResult> {
  const run = d.id;
  const { progress, outcome } = await copy(m, d, a.flags.has('--verbose'));
  const failed = (message: string): CommandResult => ({ stdout: '\n', stderr: `${progress}${message}\n`, code: 1 });
  if (outcome === 'aborted') return failed('error: operation aborted: migration out: canceled by client');
  if (outcome === 'failed') return failed('error: operation failed: migration out job: unexpectedly failed');
  if (!d.live || d.id !== run) return failed('error: operation failed: domain is not running');
  if (faultAt(m, 'finish'))
    return failed('error: internal error: Failed to resume guest on the destination: the domain keeps running on the source');
  const existing = peer.domains.get(d.name);
  const target: DomainRecord = existing ?? t.incoming;
  target.persistent = a.flags.has('--persistent') || (existing?.persistent ?? false);
  peer.domains.set(d.name, target);
  // the live XML comes from --xml, the persistent definition from --persistent-xml
  target.config = t.live;
  applyStart(peer, target, t.held);
  target.config = a.flags.has('--persistent') ? t.persistent : t.live;
  target.reason = 'migrated';
  applyStop(m, d, 'migrated');
  if (a.flags.has('--undefinesource')) m.domains.delete(d.name);
  const last = a.flags.has('--verbose') && !progress.endsWith(progressLine(100)) ? progressLine(100) : '';
  return { stdout: '\n', stderr: progress + last, code: 0 };
}

/** virsh's sizes: bytes as B, KiB, MiB or GiB with 3 decimals (vshPrettyCapacity). */
function pretty(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(3)} ${units[u]}`;
}

const row = (k: string, v: string): string => `${`${k}:`.padEnd(17)} ${v}\n`;
const num = (n: number, unit?: string): string => `${String(n).padEnd(12)}${unit === undefined ? '' : ` ${unit}`}`;

/**
 * `virsh domjobinfo DOMAIN` in virsh's layout ("%-17s " labels, "%-12llu" numbers): no job; an
 * outgoing migration whose target still prepares (the job type, the operation and the time
 * elapsed only, as recorded from real libvirt: "domjobinfo-migrating"); or one copying, with data.
 */
export function domjobinfo(d: DomainRecord, m: HostModel): CommandResult {
  const j = d.migrating;
  if (!j) return ok(`${row('Job type', 'None'.padEnd(12))}\n`);
  const head = row('Job type', 'Unbounded'.padEnd(12)) + row('Operation', 'Outgoing migration');
  if (j.copyStartedAt === undefined) return ok(`${head}${row('Time elapsed', num(Date.now() - j.startedAt, 'ms'))}\n`);
  const elapsed = Math.min(Date.now() - j.copyStartedAt, j.totalMs);
  const done = Math.round((j.totalBytes * elapsed) / j.totalMs);
  const sizes = (what: string): string =>
    row(`${what} processed`, pretty(done)) +
    row(`${what} remaining`, pretty(j.totalBytes - done)) +
    row(`${what} total`, pretty(j.totalBytes));
  return ok(
    head +
      row('Time elapsed', num(Date.now() - j.startedAt, 'ms')) +
      sizes('Data') +
      sizes('Memory') +
      row('Memory bandwidth', `${pretty(m.migration.bandwidthMiBps * 1048576)}/s`) +
      row('Dirty rate', num(0, 'pages/s')) +
      row('Page size', num(4096, 'bytes')) +
      row('Iteration', num(1)) +
      row('Postcopy requests', num(0)) +
      row('Constant pages', num(Math.floor(done / 4096))) +
      row('Normal pages', num(0)) +
      row('Normal data', pretty(0)) +
      row('Expected downtime', num(300, 'ms')) +
      row('Setup time', num(0, 'ms')) +
      '\n',
  );
}

/** `virsh domjobabort DOMAIN`: stops an outgoing migration (which then fails, the domain staying here). */
export function domjobabort(d: DomainRecord): CommandResult {
  if (!d.migrating) return fail(1, 'error: Requested operation is not valid: no job is active on the domain');
  d.migrating.aborted = true;
  return ok('\n');
}
