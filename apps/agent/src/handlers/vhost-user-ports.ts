import type { StateDiffEntry, VhostUserPortDesired } from '@netpin/contracts';
import {
  OVS_OWNER_KEY,
  ovsAddVhostUserPort,
  ovsDelPort,
  ovsListVhostUserInterfaces,
  ovsPortPlacement,
  parseOvsPortPlacement,
  parseOvsVhostUserInterfaces,
} from '@netpin/host-ops';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { throwIfDiff } from './vm-state';

/**
 * A VM's vhost-user ports on OVS-DPDK: dpdkvhostuserclient interfaces that connect to the
 * socket QEMU serves (libvirt mode server), each marked with the VM's id
 * (external_ids:netpin-vm-id). Created before define, removed on teardown; a port of the
 * same name without this VM's mark is someone else's and is never changed or removed.
 */
interface PortActual {
  bridge: string | null;
  vlan: number | null;
  trunks: number[];
  vlanMode: string | null;
  mtuRequest: number | null;
  socketPath: string | null;
  owner: string | null;
  policingKbps: number;
}

async function readPorts(shell: HostShell, ports: readonly { port: string }[]): Promise<Map<string, PortActual>> {
  const ifaces = parseOvsVhostUserInterfaces((await shell.run(ovsListVhostUserInterfaces())).stdout, OVS_OWNER_KEY);
  const out = new Map<string, PortActual>();
  for (const p of ports) {
    const placed = parseOvsPortPlacement(await shell.exec(ovsPortPlacement(p.port as VhostUserPortDesired['port'])));
    if (placed === null) continue;
    const i = ifaces.find((x) => x.name === p.port);
    out.set(p.port, {
      ...placed,
      socketPath: i?.socketPath ?? null,
      owner: i?.owner ?? null,
      policingKbps: i?.policingKbps ?? 0,
      mtuRequest: i?.mtuRequest ?? null,
    });
  }
  return out;
}

export async function diffVhostUserPorts(
  shell: HostShell,
  vmId: string,
  ports: readonly VhostUserPortDesired[],
): Promise<StateDiffEntry[]> {
  if (ports.length === 0) return [];
  const actual = await readPorts(shell, ports);
  return ports.flatMap((p) => portDiff(vmId, p, actual.get(p.port)));
}

function portDiff(vmId: string, want: VhostUserPortDesired, have: PortActual | undefined): StateDiffEntry[] {
  const f = `vhostUserPort.${want.port}`;
  if (have === undefined) return [{ field: f, expected: `on ${want.bridge}`, actual: 'absent' }];
  const d: StateDiffEntry[] = [];
  if (have.owner !== vmId) d.push({ field: `${f}.owner`, expected: vmId, actual: have.owner ?? 'not netpin' });
  if (have.bridge !== want.bridge) d.push({ field: `${f}.bridge`, expected: want.bridge, actual: have.bridge ?? 'none' });
  if (have.socketPath !== want.socketPath)
    d.push({ field: `${f}.vhost-server-path`, expected: want.socketPath, actual: have.socketPath ?? 'not a dpdkvhostuserclient' });
  d.push(...vlanDiff(f, want, have));
  if (have.mtuRequest !== want.mtu)
    d.push({ field: `${f}.mtu_request`, expected: String(want.mtu ?? 'none'), actual: String(have.mtuRequest ?? 'none') });
  if (have.policingKbps !== want.maxRateMbps * 1000)
    d.push({ field: `${f}.ingress_policing_rate`, expected: String(want.maxRateMbps * 1000), actual: String(have.policingKbps) });
  return d;
}

/** The port's tag, trunks and vlan_mode as the desired access VLAN or trunk sets them (host-ops ovsAddVhostUserPort). */
function vlanDiff(f: string, want: VhostUserPortDesired, have: PortActual): StateDiffEntry[] {
  const t = want.trunk;
  const expected = {
    tag: t === null ? want.vlan : (t.native?.vlan ?? null),
    trunks: t === null ? [] : [...t.vlans],
    vlan_mode: t === null ? null : t.native === null ? 'trunk' : t.native.mode === 'TAGGED' ? 'native-tagged' : 'native-untagged',
  };
  const actual = { tag: have.vlan, trunks: have.trunks, vlan_mode: have.vlanMode };
  const show = (v: number | null | number[] | string) => (v === null ? 'none' : Array.isArray(v) ? `[${v.join(',')}]` : String(v));
  return (['tag', 'trunks', 'vlan_mode'] as const).flatMap((k) =>
    show(expected[k]) === show(actual[k]) ? [] : [{ field: `${f}.${k}`, expected: show(expected[k]), actual: show(actual[k]) }],
  );
}

/** Create or converge each port; refuse to touch a same-named port netpin did not create for this VM. */
export async function ensureVhostUserPorts(shell: HostShell, vmId: string, ports: readonly VhostUserPortDesired[]): Promise<StepOutcome> {
  const before = await diffVhostUserPorts(shell, vmId, ports);
  if (before.length === 0) return 'unchanged';
  const actual = await readPorts(shell, ports);
  for (const p of ports) {
    const have = actual.get(p.port);
    if (have !== undefined && have.owner !== vmId)
      throw new AgentError('VERIFY_MISMATCH', `OVS port ${p.port} exists and is not netpin's port of VM ${vmId}; not touching it`);
    if (have !== undefined && have.bridge !== p.bridge) await shell.run(ovsDelPort(have.bridge as typeof p.bridge, p.port));
    if (portDiff(vmId, p, have).length > 0) await shell.run(ovsAddVhostUserPort({ ...p, vmId }));
  }
  throwIfDiff(await diffVhostUserPorts(shell, vmId, ports), 'vhost-user ports');
  return 'changed';
}

/** Delete the VM's ports that carry its mark; absent ones and other owners' are left as they are. */
export async function removeVhostUserPorts(
  shell: HostShell,
  vmId: string,
  ports: readonly { bridge: VhostUserPortDesired['bridge']; port: VhostUserPortDesired['port'] }[],
): Promise<StepOutcome> {
  if (ports.length === 0) return 'unchanged';
  const actual = await readPorts(shell, ports);
  let changed = false;
  for (const p of ports) {
    const have = actual.get(p.port);
    if (have === undefined || have.owner !== vmId || have.bridge === null) continue;
    await shell.run(ovsDelPort(have.bridge as typeof p.bridge, p.port));
    changed = true;
  }
  return changed ? 'changed' : 'unchanged';
}
