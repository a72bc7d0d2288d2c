import { NETPIN_VDPA_PREFIX, type StateDiffEntry, type VdpaDeviceDesired } from '@netpin/contracts';
import {
  hostPaths,
  parseVdpaDevices,
  parseVhostVdpaChardev,
  vdpaDevAdd,
  vdpaDevDel,
  vdpaDeviceDriver,
  vdpaDeviceEntries,
  vdpaDevShow,
  writeFile,
} from '@netpin/host-ops';
import { resolveVdpaSources } from '@netpin/libvirt-xml';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';

/**
 * A VM's vdpa devices (docs/datapaths.md "vDPA"): `vdpa dev add` on each VF's management
 * device before define, `vdpa dev del` on teardown, idempotent by name (the name, `vdp` +
 * hash of VM id and interface index, is netpin's mark: a vdpa device has no metadata). The
 * device's /dev/vhost-vdpa-N is read back from sysfs and replaces the placeholder in the
 * domain XML, for define and for every comparison with the defined domain.
 */
async function devices(shell: HostShell): Promise<Map<string, string>> {
  const r = await shell.exec(vdpaDevShow());
  if (r.exitCode !== 0) throw new AgentError('VERIFY_MISMATCH', `vdpa dev show failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return new Map(parseVdpaDevices(r.stdout).map((d) => [d.name, d.mgmtdev]));
}

/** The device's /dev/vhost-vdpa-N, or null while it is not bound to vhost_vdpa. */
async function chardev(shell: HostShell, name: string): Promise<string | null> {
  const r = await shell.exec(vdpaDeviceEntries(name));
  return r.exitCode === 0 ? parseVhostVdpaChardev(r.stdout) : null;
}

/** A device that virtio_vdpa (or nothing) took is moved to vhost_vdpa, as the kernel's bind/unbind files do. */
async function bindVhost(shell: HostShell, name: string): Promise<void> {
  const link = await shell.exec(vdpaDeviceDriver(name));
  const driver = link.exitCode === 0 ? link.stdout.trim().split('/').pop() : undefined;
  if (driver === 'vhost_vdpa') return;
  if (driver !== undefined && driver !== '') await shell.run(writeFile(`/sys/bus/vdpa/drivers/${driver}/unbind`, name));
  await shell.run(writeFile(`${hostPaths.vhostVdpaDriver}/bind`, name));
}

/** name -> /dev/vhost-vdpa-N of the VM's devices that exist on their management device and have one. */
export async function vdpaPaths(shell: HostShell, want: readonly VdpaDeviceDesired[]): Promise<Map<string, string>> {
  if (want.length === 0) return new Map();
  const have = await devices(shell);
  const out = new Map<string, string>();
  for (const d of want) {
    if (have.get(d.name) !== d.mgmtdev) continue;
    const path = await chardev(shell, d.name);
    if (path !== null) out.set(d.name, path);
  }
  return out;
}

export async function diffVdpaDevices(shell: HostShell, want: readonly VdpaDeviceDesired[]): Promise<StateDiffEntry[]> {
  if (want.length === 0) return [];
  const have = await devices(shell);
  const paths = await vdpaPaths(shell, want);
  return want.flatMap((d): StateDiffEntry[] => {
    const f = `vdpaDevice.${d.name}`;
    const on = have.get(d.name);
    if (on === undefined) return [{ field: f, expected: `on ${d.mgmtdev}`, actual: 'absent' }];
    if (on !== d.mgmtdev) return [{ field: `${f}.mgmtdev`, expected: d.mgmtdev, actual: on }];
    if (!paths.has(d.name)) return [{ field: `${f}.driver`, expected: 'vhost_vdpa (/dev/vhost-vdpa-N)', actual: 'no vhost-vdpa device' }];
    return [];
  });
}

/** Create (or re-create on the right management device) each device and bind it to vhost_vdpa; returns the paths. */
export async function ensureVdpaDevices(shell: HostShell, want: readonly VdpaDeviceDesired[]): Promise<StepOutcome> {
  if ((await diffVdpaDevices(shell, want)).length === 0) return 'unchanged';
  const have = await devices(shell);
  for (const d of want) {
    const on = have.get(d.name);
    if (on !== undefined && on !== d.mgmtdev) await shell.run(vdpaDevDel(d.name));
    if (on !== d.mgmtdev) await shell.run(vdpaDevAdd(d));
    if ((await chardev(shell, d.name)) === null) await bindVhost(shell, d.name);
  }
  const left = await diffVdpaDevices(shell, want);
  if (left.length > 0) throw new AgentError('VERIFY_MISMATCH', `vdpa devices did not take: ${left[0].field} is ${left[0].actual}`);
  return 'changed';
}

/** The domain XML with the devices' paths in place of the placeholders (unchanged when the VM has none). */
export async function resolvedDomainXml(shell: HostShell, domainXml: string, want: readonly VdpaDeviceDesired[]): Promise<string> {
  if (want.length === 0) return domainXml;
  const paths = await vdpaPaths(shell, want);
  try {
    return resolveVdpaSources(domainXml, paths);
  } catch (e) {
    throw new AgentError('VERIFY_MISMATCH', e instanceof Error ? e.message : String(e));
  }
}

/** Delete the VM's devices that exist (after its domain is gone: QEMU holds the chardev); only netpin-named ones. */
export async function removeVdpaDevices(shell: HostShell, names: readonly string[]): Promise<StepOutcome> {
  const ours = names.filter((n) => n.startsWith(NETPIN_VDPA_PREFIX));
  if (ours.length === 0) return 'unchanged';
  const have = await devices(shell);
  let changed = false;
  for (const n of ours) {
    if (!have.has(n)) continue;
    await shell.run(vdpaDevDel(n));
    changed = true;
  }
  return changed ? 'changed' : 'unchanged';
}
