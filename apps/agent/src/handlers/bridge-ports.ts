import { ifNameSchema, type DomainName, type StateDiffEntry } from '@netpin/contracts';
import { ipLinkSetMaster, ipLinkShow, parseIpLinkShow, virshDumpxml } from '@netpin/host-ops';
import { liveBridgePorts, parseDomain, type BridgePort } from '@netpin/libvirt-xml';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { throwIfDiff } from './vm-state';

/**
 * The taps of a running guest must stay ports of the Linux bridges its interfaces name.
 * libvirt plugs them in at start and never looks again: a tap moved off its bridge (`ip
 * link set vnet0 nomaster`, a bridge recreated by a network script) leaves the guest
 * running and cut off while `virsh dumpxml` still says `<source bridge='br0'/>`. Only the
 * kernel knows, so netpin asks it.
 */

const bridged = new Map<string, boolean>();

/**
 * Whether the wanted domain has interfaces on Linux bridges (an XML outside the model counts as
 * yes). A job asks twice (its step count, its run) and a vm.verify follows each vm.apply with
 * the same XML: the last answers are kept so that one parse serves them.
 */
export function hasLinuxBridgePorts(domainXml: string): boolean {
  const known = bridged.get(domainXml);
  if (known !== undefined) return known;
  let has: boolean;
  try {
    has = parseDomain(domainXml).interfaces.some((i) => i.type === 'bridge' && i.openvswitch !== true);
  } catch {
    has = true;
  }
  if (bridged.size >= 256) bridged.delete(bridged.keys().next().value as string);
  bridged.set(domainXml, has);
  return has;
}

/** The live XML of a defined domain (a shut-off one has no `<target dev>`, so no ports). */
async function portsOf(shell: HostShell, vmName: DomainName): Promise<BridgePort[]> {
  return liveBridgePorts((await shell.run(virshDumpxml(vmName))).stdout);
}

async function mastersOf(shell: HostShell): Promise<Map<string, string | null>> {
  const links = parseIpLinkShow((await shell.run(ipLinkShow())).stdout);
  return new Map(links.map((l) => [l.name, l.master]));
}

/** The bridge the kernel has the tap on: its master, 'none' when it has none, 'absent' when the tap is gone. */
function masterOf(p: BridgePort, masters: Map<string, string | null>): string {
  return masters.has(p.dev) ? (masters.get(p.dev) ?? 'none') : 'absent';
}

function portDiff(ports: readonly BridgePort[], masters: Map<string, string | null>): StateDiffEntry[] {
  return ports
    .filter((p) => masterOf(p, masters) !== p.bridge)
    .map((p) => ({ field: `tap.${p.dev}.master`, expected: p.bridge, actual: masterOf(p, masters) }));
}

/** Taps of the guest that are not ports of their bridge (none when it is not running); the domain must be defined. */
export async function diffBridgePorts(shell: HostShell, vmName: DomainName): Promise<StateDiffEntry[]> {
  const ports = await portsOf(shell, vmName);
  return ports.length === 0 ? [] : portDiff(ports, await mastersOf(shell));
}

/** Puts every tap of the running guest back on its bridge (`ip link set dev TAP master BR`). */
export async function ensureBridgePorts(shell: HostShell, vmName: DomainName): Promise<StepOutcome> {
  const ports = await portsOf(shell, vmName);
  if (ports.length === 0) return 'unchanged';
  const masters = await mastersOf(shell);
  const off = ports.filter((p) => masterOf(p, masters) !== p.bridge);
  if (off.length === 0) return 'unchanged';
  for (const p of off) await shell.run(ipLinkSetMaster(ifNameSchema.parse(p.dev), ifNameSchema.parse(p.bridge)));
  throwIfDiff(portDiff(ports, await mastersOf(shell)), 'bridge ports');
  return 'changed';
}
