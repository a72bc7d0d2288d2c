import type { DomainName, MigrationEnd, VmMigratePayload } from '@netpin/contracts';
import {
  hostPaths,
  makeDir,
  removeFiles,
  virshAttachDevice,
  virshDefine,
  domJobFraction,
  parseDomjobinfo,
  virshDetachDeviceAlias,
  virshDomjobinfo,
  virshDumpxml,
  virshMigrate,
  virshStart,
  writeDocument,
} from '@netpin/host-ops';
import { liveInterfaceAliases } from '@netpin/libvirt-xml';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { readDomain, readDomainState } from './host-state';
import { foreignDomain, isOurs } from './ownership';
import { diffDomain, diffIrqs, diffRps, diffVfs, ensureIrqs, ensureRps, ensureVfs, throwIfDiff } from './vm-state';
import { diffVhostUserPorts, ensureVhostUserPorts } from './vhost-user-ports';

/** How long a guest may take to release a hot-unplugged VF (ACPI), or libvirt to show a plugged one. */
export const PLUG_TIMEOUT_MS = 30_000;
const PLUG_POLL_MS = 100;
/** How often the source's `virsh domjobinfo` is read while `virsh migrate` copies. */
export const JOB_POLL_MS = 500;

/**
 * The host-side pieces of a migration (vm.migrate, docs/agent.md "Migration"). Each reads
 * the host first and does only what is missing, so a retried job converges.
 */

/** A domain of this name on a host must be this VM's (or absent). */
export async function assertNoForeignDomain(shell: HostShell, p: VmMigratePayload): Promise<void> {
  const dom = await readDomain(shell, p.vmName);
  if (dom.defined && !isOurs(dom, p.vmId)) throw foreignDomain(p.vmName, p.vmId);
}

/**
 * IRQ affinity, RPS masks and vhost-user ports (marked with the VM's id: QEMU starting there
 * waits for them) of one end, the target's before the move; recorded baselines and the marks
 * make them undoable (host-release.ts).
 */
export async function prepareHostSettings(shell: HostShell, vmId: string, end: MigrationEnd, withVfs: boolean): Promise<StepOutcome> {
  const outcomes = [
    await ensureIrqs(shell, end.irqAffinity),
    await ensureRps(shell, end.rps),
    await ensureVhostUserPorts(shell, vmId, end.vhostUserPorts),
  ];
  if (withVfs) outcomes.push(await ensureVfs(shell, end.vfs));
  return outcomes.includes('changed') ? 'changed' : 'unchanged';
}

async function liveAliases(shell: HostShell, name: DomainName) {
  return liveInterfaceAliases((await shell.run(virshDumpxml(name))).stdout);
}

/** Wait until the running domain's VF interfaces with these MACs are (present) or are not (!present) there. */
async function waitForVfs(shell: HostShell, name: DomainName, macs: readonly string[], present: boolean, what: string): Promise<void> {
  const deadline = Date.now() + PLUG_TIMEOUT_MS;
  for (;;) {
    const have = new Set((await liveAliases(shell, name)).filter((i) => i.type === 'hostdev').map((i) => i.mac));
    if (macs.every((m) => have.has(m) === present)) return;
    if (Date.now() > deadline)
      throw new AgentError(
        'TIMEOUT',
        `${what}: the VF(s) ${macs.join(', ')} of ${name} are ${present ? 'still not plugged' : 'still plugged'} after ${PLUG_TIMEOUT_MS} ms${present ? '' : ' (does the guest handle ACPI hot-unplug?)'}`,
      );
    await sleep(PLUG_POLL_MS);
  }
}

/** Hot-unplug the failover VFs (traffic goes on over their virtio partners) and wait until the guest let go. */
export async function unplugVfs(shell: HostShell, name: DomainName, vfs: MigrationEnd['failoverVfs']): Promise<StepOutcome> {
  if (vfs.length === 0) return 'unchanged';
  const macs = vfs.map((v) => v.mac.toLowerCase());
  const plugged = (await liveAliases(shell, name)).filter((i) => i.type === 'hostdev' && macs.includes(i.mac));
  for (const i of plugged) {
    if (i.alias === null)
      throw new AgentError('VERIFY_MISMATCH', `the VF ${i.mac} of ${name} has no alias in the live XML: cannot unplug it alone`);
    await shell.run(virshDetachDeviceAlias(name, i.alias, { live: true, config: false }));
  }
  await waitForVfs(shell, name, macs, false, 'unplug');
  return plugged.length > 0 ? 'changed' : 'unchanged';
}

/** Program the VFs of one end, then hot-plug the failover VFs missing from the running domain there. */
export async function plugVfs(shell: HostShell, name: DomainName, end: MigrationEnd): Promise<StepOutcome> {
  const programmed = await ensureVfs(shell, end.vfs);
  if (end.failoverVfs.length === 0) return programmed;
  const have = new Set((await liveAliases(shell, name)).filter((i) => i.type === 'hostdev').map((i) => i.mac));
  const missing = end.failoverVfs.filter((v) => !have.has(v.mac.toLowerCase()));
  for (const v of missing) await shell.run(virshAttachDevice(name, v.deviceXml, { live: true, config: false }));
  await waitForVfs(
    shell,
    name,
    end.failoverVfs.map((v) => v.mac.toLowerCase()),
    true,
    'plug',
  );
  return missing.length > 0 ? 'changed' : programmed;
}

/**
 * Put the XML files `virsh migrate` reads on the host it runs on: one file when the live and
 * the persistent definitions are the same document (no failover VF to leave out of the copy).
 * The folder is made only when a write finds it missing.
 */
export async function writeMigrationXml(shell: HostShell, vmId: string, end: MigrationEnd): Promise<{ live: string; persistent: string }> {
  const live = hostPaths.migrateXml(vmId, 'live');
  const files = { live, persistent: end.liveXml === end.domainXml ? live : hostPaths.migrateXml(vmId, 'persistent') };
  const first = writeDocument(files.live, end.liveXml);
  if ((await shell.exec(first)).exitCode !== 0) {
    await shell.run(makeDir(hostPaths.migrateDir));
    await shell.run(first);
  }
  if (files.persistent !== files.live) await shell.run(writeDocument(files.persistent, end.domainXml));
  return files;
}

export async function removeMigrationXml(shell: HostShell, vmId: string): Promise<void> {
  await shell.run(removeFiles([hostPaths.migrateXml(vmId, 'live'), hostPaths.migrateXml(vmId, 'persistent')]));
}

/** How far the source's job got (0..1) per `virsh domjobinfo`; null when it shows no data (yet) or cannot be read. */
async function readJobFraction(shell: HostShell, name: DomainName): Promise<number | null> {
  const out = await shell.exec(virshDomjobinfo(name)).catch(() => null);
  if (!out || out.exitCode !== 0) return null;
  try {
    return domJobFraction(parseDomjobinfo(out.stdout));
  } catch {
    return null;
  }
}

/**
 * Await `work` (a `virsh migrate` on `shell`'s host) while reading `virsh domjobinfo` there
 * every JOB_POLL_MS, on a command (an SSH channel) of its own, and telling `onFraction` each
 * time the copy got further. The polling is advisory: a poll that fails is skipped, and it
 * ends with `work`, whose result or error is returned as is.
 */
export async function watchMigrationJob<T>(
  shell: HostShell,
  name: DomainName,
  onFraction: (fraction: number) => Promise<void>,
  work: Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const settled = work.finally(() => stop.abort());
  const poll = async (): Promise<void> => {
    let last = -1;
    while (!stop.signal.aborted) {
      const slept = await sleep(JOB_POLL_MS, true, { signal: stop.signal }).catch(() => false);
      if (!slept) return;
      const f = await readJobFraction(shell, name);
      if (f !== null && f > last && !stop.signal.aborted) {
        last = f;
        await onFraction(f).catch(() => undefined);
      }
    }
  };
  const polling = poll();
  try {
    return await settled;
  } finally {
    await polling;
  }
}

/**
 * `virsh migrate --live --p2p ...` on `from` to `uri`, landing `to` there; 'unchanged' when the
 * domain already runs on the other side (a retry after the copy). Returns how long libvirt took.
 * With `onFraction`, the copy's progress from the source's `virsh domjobinfo` goes there.
 */
export async function liveMigrate(
  from: HostShell,
  toShell: HostShell,
  p: VmMigratePayload,
  to: { end: MigrationEnd; uri: string },
  onFraction?: (fraction: number) => Promise<void>,
): Promise<{ outcome: StepOutcome; ms: number }> {
  // a retry after the copy: running there as ours (the definition read only then), not here
  const thereState = await readDomainState(toShell, p.vmName);
  if (thereState.state === 'running' && (await readDomainState(from, p.vmName)).state !== 'running') {
    if (isOurs(await readDomain(toShell, p.vmName), p.vmId)) return { outcome: 'unchanged', ms: 0 };
  }
  const files = await writeMigrationXml(from, p.vmId, to.end);
  const started = performance.now();
  const migrating = from.run(virshMigrate(p.vmName, to.uri, { live: true, xmlFile: files.live, persistentXmlFile: files.persistent }));
  await (onFraction ? watchMigrationJob(from, p.vmName, onFraction, migrating) : migrating);
  const ms = Math.round(performance.now() - started);
  await removeMigrationXml(from, p.vmId);
  const after = await readDomain(toShell, p.vmName);
  if (after.state !== 'running' || !isOurs(after, p.vmId))
    throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is ${after.state ?? 'not defined'} on the other host after virsh migrate`);
  return { outcome: 'changed', ms };
}

/** COLD: define the VM on the target from the target plan (its definition on the source stays until release). */
export async function defineOn(shell: HostShell, p: VmMigratePayload, end: MigrationEnd): Promise<StepOutcome> {
  await shell.run(virshDefine(end.domainXml));
  const after = await readDomain(shell, p.vmName);
  if (!after.defined || !isOurs(after, p.vmId))
    throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is not defined after virsh define`);
  return 'changed';
}

export async function startOn(shell: HostShell, p: VmMigratePayload): Promise<StepOutcome> {
  const dom = await readDomain(shell, p.vmName);
  if (dom.state === 'running') return 'unchanged';
  await shell.run(virshStart(p.vmName));
  const after = await readDomain(shell, p.vmName);
  if (after.state !== 'running')
    throw new AgentError('VERIFY_MISMATCH', `domain ${p.vmName} is ${after.state ?? 'gone'} after virsh start`);
  return 'changed';
}

/** The VM on `end`'s host as planned: definition (in meaning), running, VFs, IRQ affinity, RPS masks, vhost-user ports. */
export async function verifyEnd(shell: HostShell, p: VmMigratePayload, end: MigrationEnd): Promise<StepOutcome> {
  const diff = [
    ...(await diffDomain(shell, { vmId: p.vmId, vmName: p.vmName, domainXml: end.domainXml, start: true })),
    ...(await diffVfs(shell, end.vfs)),
    ...(await diffIrqs(shell, end.irqAffinity)),
    ...(await diffRps(shell, end.rps)),
    ...(await diffVhostUserPorts(shell, p.vmId, end.vhostUserPorts)),
  ];
  throwIfDiff(diff, 'the migrated VM');
  return 'changed';
}
