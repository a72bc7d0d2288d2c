import type { DomainName, StateDiffEntry } from '@netpin/contracts';
import { virshAttachDevice, virshDetachDevice, virshDumpxml } from '@netpin/host-ops';
import { diffDomain, parseDomain, type DomainSpec } from '@netpin/libvirt-xml';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors';
import type { HostShell } from '../host-shell';
import type { StepOutcome } from '../steps';
import { ownedDomain } from './domain-power';

/**
 * One `<interface>` of a domain, found by its MAC, in the running guest (live XML) and in the
 * persistent definition. libvirt accepts a second interface with a MAC the domain already
 * has, so every change looks first and touches only the side that lacks (or has) it: a
 * retry never plugs a device twice.
 */
export interface DevicePresence {
  defined: boolean;
  running: boolean;
  /** Interfaces with the MAC in the persistent definition / in the running guest. */
  inConfig: number;
  inLive: number;
}

/** How often a detach looks whether the guest has released the device. */
export const RELEASE_POLL_MS = 250;

const withMac = (spec: DomainSpec, mac: string) => spec.interfaces.filter((i) => i.mac.toLowerCase() === mac.toLowerCase());

async function liveXml(shell: HostShell, name: DomainName): Promise<string> {
  return (await shell.run(virshDumpxml(name))).stdout;
}

/** Where the interface is; a same-named domain without this VM's mark is refused (FOREIGN_DOMAIN). */
export async function devicePresence(shell: HostShell, name: DomainName, vmId: string, mac: string): Promise<DevicePresence> {
  const dom = await ownedDomain(shell, name, vmId);
  if (!dom.defined || dom.inactiveXml === null) return { defined: false, running: false, inConfig: 0, inLive: 0 };
  const running = dom.state === 'running';
  const inConfig = withMac(parseDomain(dom.inactiveXml), mac).length;
  const inLive = running ? withMac(parseDomain(await liveXml(shell, name)), mac).length : 0;
  return { defined: true, running, inConfig, inLive };
}

/** Plug the device where it is missing: the running guest and the definition (the definition alone when shut off). */
export async function plugDevice(shell: HostShell, name: DomainName, vmId: string, mac: string, deviceXml: string): Promise<StepOutcome> {
  const at = await devicePresence(shell, name, vmId, mac);
  if (!at.defined) throw new AgentError('COMMAND_FAILED', `domain ${name} is not defined on this host`);
  const live = at.running && at.inLive === 0;
  const config = at.inConfig === 0;
  if (!live && !config) return 'unchanged';
  await shell.run(virshAttachDevice(name, deviceXml, { live, config }));
  return 'changed';
}

/** Ask for the device to go from wherever it is; 'unchanged' when it is nowhere. Several with one MAC: refused. */
export async function unplugDevice(
  shell: HostShell,
  name: DomainName,
  vmId: string,
  mac: string,
  deviceXml: string,
): Promise<{ outcome: StepOutcome; askedGuest: boolean }> {
  const at = await devicePresence(shell, name, vmId, mac);
  if (at.inConfig > 1 || at.inLive > 1)
    throw new AgentError('COMMAND_FAILED', `domain ${name} has several interfaces with MAC ${mac}: netpin does not pick one`);
  const live = at.inLive > 0;
  const config = at.inConfig > 0;
  if (!live && !config) return { outcome: 'unchanged', askedGuest: false };
  await shell.run(virshDetachDevice(name, deviceXml, { live, config }));
  return { outcome: 'changed', askedGuest: live };
}

/**
 * A live detach only asks the guest (ACPI PCI hot-unplug) and libvirt answers success at
 * once: the device is gone when the live XML no longer has it. Waits up to `timeoutMs`.
 */
export async function waitForRelease(shell: HostShell, name: DomainName, vmId: string, mac: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = await devicePresence(shell, name, vmId, mac);
    if (at.inLive === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(RELEASE_POLL_MS, left));
  }
  throw new AgentError(
    'DEVICE_NOT_RELEASED',
    `the guest of ${name} did not release the interface with MAC ${mac} within ${Math.round(timeoutMs / 1000)} s ` +
      '(a live detach is a request the guest must answer: ACPI PCI hot-unplug). It is out of the definition, so it goes at the ' +
      'next power-off; its VF, IRQ and RPS settings stay with the VM until then. Retry detachInterface once the guest let go',
  );
}

/** The running guest's interface with the MAC, compared by meaning with the one the desired domain has. */
export async function diffLiveInterface(shell: HostShell, name: DomainName, desiredXml: string, mac: string): Promise<StateDiffEntry[]> {
  const want = parseDomain(desiredXml);
  const have = withMac(parseDomain(await liveXml(shell, name)), mac);
  if (have.length === 0) return [{ field: `domain.live.interface.${mac}`, expected: 'plugged', actual: 'absent' }];
  const d = diffDomain({ ...want, interfaces: withMac(want, mac) }, { ...want, interfaces: have });
  return d.map((x) => ({ field: `domain.live.${x.path}`, expected: JSON.stringify(x.expected), actual: JSON.stringify(x.actual) }));
}
