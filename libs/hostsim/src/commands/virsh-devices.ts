import { DomainStartError, checkInterface, pciClaimer, pciFromAttrs, plugInterface } from '../domain';
import { KernelError } from '../errors';
import type { DomainRecord, HostModel } from '../model';
import { type XmlElement, XmlSyntaxError, child, cloneXml, parseXml, select } from '../xml-tree';
import { readFileLike } from './coreutils';
import { type CommandContext, type CommandResult, fail, ok } from './types';

/**
 * `virsh attach-device|detach-device DOMAIN FILE [--live] [--config] [--persistent] [--current]`
 * for <interface> devices, as libvirt 9.0 answered on the real-host tier: an attach does not
 * look for an interface with the same MAC (two are accepted); a detach matches by MAC and
 * refuses when several match; a live detach only asks the guest to release the device
 * (ACPI hot-unplug) and reports success at once: a guest that ignores ACPI keeps it. A live
 * attach needs a free PCIe root port: libvirt leaves one spare on a q35 domain it defines,
 * so a second plug before the guest released one fails "No more available PCI slots".
 */
type Verb = 'attach' | 'detach';

function scopes(d: DomainRecord, args: string[]): { live: boolean; config: boolean } {
  const live = args.includes('--live') || (args.includes('--persistent') && d.live !== undefined);
  const config = args.includes('--config') || args.includes('--persistent');
  if (live || config) return { live, config };
  return d.live ? { live: true, config: false } : { live: false, config: true };
}

async function readDevice(
  ctx: CommandContext,
  file: string,
  failWith: (msg: string) => CommandResult,
): Promise<XmlElement | CommandResult> {
  let text: string;
  try {
    text = await readFileLike(ctx, file);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return fail(1, `error: Failed to open file '${file}': ${e.message}`);
  }
  try {
    const root = parseXml(text);
    if (root.name !== 'interface') return failWith('hostsim: only <interface> devices can be attached or detached');
    return root;
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    return failWith(`(device_definition):${e.line}: ${e.message}`);
  }
}

const macOf = (x: XmlElement): string | undefined => child(x, 'mac')?.attrs.address?.toLowerCase();

export async function deviceCommand(
  ctx: CommandContext,
  verb: Verb,
  d: DomainRecord,
  file: string,
  args: string[],
): Promise<CommandResult> {
  const m = ctx.model;
  const failWith = (msg: string): CommandResult => fail(1, `error: Failed to ${verb} device from ${file}\nerror: ${msg}`);
  const dev = await readDevice(ctx, file, failWith);
  if ('code' in dev) return dev;
  const where = scopes(d, args);
  if (where.live && !d.live) return failWith('Requested operation is not valid: domain is not running');
  return verb === 'attach' ? attach(m, d, dev, where, failWith) : detach(m, d, dev, where, failWith);
}

function attach(
  m: HostModel,
  d: DomainRecord,
  dev: XmlElement,
  where: { live: boolean; config: boolean },
  failWith: (msg: string) => CommandResult,
): CommandResult {
  if (where.live && d.live) {
    const live = d.live;
    // libvirt finds the device a PCI address before it connects it (tap, bridge, VF)
    if ((d.freeHotplugSlots ?? 0) < 1) return failWith('internal error: No more available PCI slots');
    const pci: string[] = [];
    try {
      checkInterface(m, dev, pciClaimer(m, d, pci));
    } catch (e) {
      if (!(e instanceof DomainStartError)) throw e;
      return failWith(e.message);
    }
    const plugged = cloneXml(dev);
    devices(live).children.push(plugged);
    plugInterface(m, d, plugged, select(live, 'devices/interface').length - 1);
    d.held.pci.push(...pci);
    d.freeHotplugSlots = (d.freeHotplugSlots ?? 0) - 1;
  }
  if (where.config) devices(d.config).children.push(cloneXml(dev));
  return ok('Device attached successfully\n\n');
}

function detach(
  m: HostModel,
  d: DomainRecord,
  dev: XmlElement,
  where: { live: boolean; config: boolean },
  failWith: (msg: string) => CommandResult,
): CommandResult {
  const mac = macOf(dev);
  const targets = [...(where.live && d.live ? [d.live] : []), ...(where.config ? [d.config] : [])];
  for (const x of targets) {
    const found = select(x, 'devices/interface').filter((i) => macOf(i) === mac);
    if (found.length > 1) return failWith(`operation failed: multiple devices matching MAC address ${mac ?? ''} found`);
    if (found.length === 0)
      return failWith(`device not found: no device found at address '(<null>)' matching MAC address '${mac ?? ''}' and alias '(<null>)'`);
  }
  if (where.config) removeByMac(d.config, mac);
  if (where.live && d.live) unplugLater(m, d, mac);
  return ok('Device detached successfully\n\n');
}

/**
 * `virsh detach-device-alias DOMAIN ALIAS [--live] [--config] [--current]`: the one device of
 * that alias (two failover members share a MAC, so a MAC cannot name one of them). Live: the
 * guest is asked, as with detach-device.
 */
export function detachAlias(m: HostModel, d: DomainRecord, args: string[]): CommandResult {
  const alias = args.filter((a) => !a.startsWith('--'))[1];
  if (alias === undefined) return fail(1, "error: command 'detach-device-alias' requires <alias> option");
  const where = scopes(d, args);
  const failWith = (msg: string): CommandResult =>
    fail(
      1,
      `error: Failed to detach device with alias ${alias}
error: ${msg}`,
    );
  if (where.live && !d.live) return failWith('Requested operation is not valid: domain is not running');
  const x = where.live ? (d.live as XmlElement) : d.config;
  const iface = select(x, 'devices/interface').find((i) => child(i, 'alias')?.attrs.name === alias);
  if (!iface) return failWith(`device not found: no device found with alias ${alias}`);
  if (where.config) removeWhere(d.config, (c) => c.name === 'interface' && macOf(c) === macOf(iface) && c.attrs.type === iface.attrs.type);
  if (where.live) unplugLater(m, d, (i) => child(i, 'alias')?.attrs.name === alias);
  return ok('Device detach request sent successfully\n\n');
}

/** The guest releases the device after its ACPI delay, or never when it ignores ACPI. */
function unplugLater(m: HostModel, d: DomainRecord, which: string | undefined | ((i: XmlElement) => boolean)): void {
  if (m.guest.acpi === 'ignore') return;
  const run = d.id;
  const matches = typeof which === 'function' ? which : (i: XmlElement) => macOf(i) === which;
  const timer = setTimeout(() => {
    if (!d.live || d.id !== run) return;
    const iface = select(d.live, 'devices/interface').find(matches);
    if (!iface) return;
    removeWhere(d.live, (c) => c === iface);
    d.freeHotplugSlots = (d.freeHotplugSlots ?? 0) + 1;
    const tap = child(iface, 'target')?.attrs.dev;
    m.taps = m.taps.filter((t) => t.name !== tap);
    const a = select(iface, 'source/address')[0];
    if (iface.attrs.type === 'hostdev' && a) d.held.pci = d.held.pci.filter((p) => p !== pciFromAttrs(a.attrs));
  }, m.guest.shutdownDelayMs);
  timer.unref();
}

function devices(x: XmlElement): XmlElement {
  const found = child(x, 'devices');
  if (found) return found;
  const made: XmlElement = { name: 'devices', attrs: {}, text: '', children: [] };
  x.children.push(made);
  return made;
}

function removeByMac(x: XmlElement, mac: string | undefined): void {
  removeWhere(x, (c) => c.name === 'interface' && macOf(c) === mac);
}

function removeWhere(x: XmlElement, gone: (c: XmlElement) => boolean): void {
  const devs = devices(x);
  devs.children = devs.children.filter((c) => !gone(c));
}
