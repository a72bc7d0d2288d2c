import { setTimeout as sleep } from 'node:timers/promises';
import { DomainStartError, applyStart, applyStop, checkStart, normalizeDefinition } from '../domain';
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
  fail(
    1,
    `error: failed to connect to the hypervisor\nerror: Cannot recv data: ssh: connect to host ${host} port ${port}: Connection refused: Connection reset by peer`,
  );

async function readXmlFile(ctx: CommandContext, file: string): Promise<XmlElement | CommandResult> {
  try {
    return parseXml(await readFileLike(ctx, file));
  } catch (e) {
    if (e instanceof KernelError) return fail(1, `error: Failed to open file '${file}': ${e.message}`);
    if (e instanceof XmlSyntaxError) return fail(1, `error: (domain_definition):${e.line}: ${e.message}`);
    throw e;
  }
}

const macsOf = (x: XmlElement): string =>
  select(x, 'devices/interface')
    .map((i) => child(i, 'mac')?.attrs.address?.toLowerCase() ?? '')
    .sort()
    .join(',');

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
  const live = (given as XmlElement | undefined) ?? (d.live as XmlElement);
  const name = child(live, 'name')?.text.trim();
  if (name !== d.name)
    return fail(1, `error: unsupported configuration: target domain name '${name ?? ''}' does not match source '${d.name}'`);
  if (macsOf(live) !== macsOf(d.live as XmlElement))
    return fail(1, 'error: unsupported configuration: Target device network card count or MAC addresses do not match source');
  const seq = peer.domains.size + peer.nextDomainId * 1000 + peer.bootCount;
  const normLive = normalizeDefinition(live, peer.spec.hostname, seq);
  const persistentSrc = (givenPersistent as XmlElement | undefined) ?? live;
  const normPersistent = normalizeDefinition(persistentSrc, peer.spec.hostname, seq);
  for (const n of [normLive, normPersistent]) if (typeof n === 'string') return fail(1, `error: ${n}`);
  const uuidOf = (x: XmlElement) => child(x, 'uuid');
  for (const x of [normLive, normPersistent] as XmlElement[]) {
    const u = uuidOf(x);
    if (u) u.text = d.uuid;
  }
  return { live: normLive as XmlElement, persistent: normPersistent as XmlElement };
}

/** The target's side before any byte moves: no active namesake, the resources a start needs. */
function prepareTarget(peer: HostModel, d: DomainRecord, defs: { live: XmlElement }): DomainRecord | CommandResult {
  const existing = peer.domains.get(d.name);
  if (existing?.live) return fail(1, `error: Requested operation is not valid: domain '${d.name}' is already active`);
  if (existing && existing.uuid !== d.uuid)
    return fail(1, `error: operation failed: domain '${d.name}' already exists with uuid ${existing.uuid}`);
  return { name: d.name, uuid: d.uuid, config: defs.live, persistent: false, held: { pci: [], hugepages: [] } };
}

export async function migrate(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const m = ctx.model;
  const a = parseArgs(args);
  if (a.dom === undefined) return fail(1, "error: command 'migrate' requires <domain> option");
  if (a.desturi === undefined) return fail(1, "error: command 'migrate' requires <desturi> option");
  const d = m.domains.get(a.dom) ?? [...m.domains.values()].find((x) => x.uuid === a.dom);
  if (!d) return fail(1, `error: failed to get domain '${a.dom}'`);
  const uri = parsePeerUri(a.desturi);
  if (!uri)
    return fail(
      1,
      `error: failed to connect to the hypervisor\nerror: unsupported configuration: hostsim reaches only qemu+ssh|tcp|tls://host[:port]/system, not '${a.desturi}'`,
    );
  const peer = peerAt(uri);
  if (!peer || faultAt(m, 'connect')) return connectError(uri.host, uri.port);
  if (peer === m) return fail(1, `error: internal error: Attempt to migrate guest to the same host ${d.uuid}`);
  if (!d.live) return fail(1, 'error: Requested operation is not valid: domain is not running');
  if (d.migrating)
    return fail(
      1,
      'error: Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainMigratePerform3Params)',
    );
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
  return transfer(m, peer, d, a, { ...defs, incoming, held });
}

async function transfer(
  m: HostModel,
  peer: HostModel,
  d: DomainRecord,
  a: MigrateArgs,
  t: { live: XmlElement; persistent: XmlElement; incoming: DomainRecord; held: DomainRecord['held'] },
): Promise<CommandResult> {
  const memKiB = Number(child(d.config, 'memory')?.text ?? '0');
  const totalMs = Math.max(m.migration.minMs, Math.round((memKiB / 1024 / m.migration.bandwidthMiBps) * 1000));
  const run = d.id;
  d.migrating = { startedAt: Date.now(), totalMs, totalBytes: memKiB * 1024 };
  const failing = faultAt(m, 'transfer');
  await sleep(failing ? Math.round(totalMs / 2) : totalMs);
  d.migrating = undefined;
  if (failing) return fail(1, 'error: operation failed: migration out job: unexpectedly failed');
  if (!d.live || d.id !== run) return fail(1, 'error: operation failed: domain is not running');
  if (faultAt(m, 'finish'))
    return fail(1, 'error: internal error: Failed to resume guest on the destination: the domain keeps running on the source');
  const existing = peer.domains.get(d.name);
  const target: DomainRecord = existing ?? t.incoming;
  target.config = a.flags.has('--persistent') ? t.persistent : t.live;
  target.persistent = a.flags.has('--persistent') || (existing?.persistent ?? false);
  peer.domains.set(d.name, target);
  // the live XML comes from the migrated definition, the persistent one from --persistent-xml
  const persistentConfig = target.config;
  target.config = t.live;
  applyStart(peer, target, t.held);
  target.config = persistentConfig;
  target.reason = 'migrated';
  applyStop(m, d, 'migrated');
  if (a.flags.has('--undefinesource')) m.domains.delete(d.name);
  return ok('\n');
}

/** `virsh domjobinfo DOMAIN`: the outgoing migration's progress, or no job. */
export function domjobinfo(d: DomainRecord): CommandResult {
  const j = d.migrating;
  const row = (k: string, v: string): string => `${`${k}:`.padEnd(18)}${v}\n`;
  if (!j) return ok(`${row('Job type', 'None')}\n`);
  const elapsed = Math.min(Date.now() - j.startedAt, j.totalMs);
  const done = Math.round((j.totalBytes * elapsed) / j.totalMs);
  const mib = (b: number): string => `${(b / 1048576).toFixed(3)} MiB`;
  return ok(
    row('Job type', 'Unbounded') +
      row('Operation', 'Outgoing migration') +
      row('Time elapsed', `${elapsed}         ms`) +
      row('Data processed', mib(done)) +
      row('Data remaining', mib(j.totalBytes - done)) +
      row('Data total', mib(j.totalBytes)) +
      '\n',
  );
}
