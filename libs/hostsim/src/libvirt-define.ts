import { createHash } from 'node:crypto';
import { formatCpuList, parseCpuList } from '@netpin/contracts';
import { type XmlElement, child, childrenNamed, element, select } from './xml-tree';

/**
 * What libvirt 9.0's QEMU driver (with QEMU 7.2) writes into a definition at `virsh define`,
 * as `virsh dumpxml --inactive` shows it afterwards. Each rule was seen on a real libvirtd
 * (tools/realhost differential tests compare hostsim with it on every golden domain):
 * - sizes in KiB: <memory>, <currentMemory> (added), hugepage <page size>, NUMA <cell memory>;
 * - the machine alias expanded for QEMU 7.2 (q35 -> pc-q35-7.2; pc or none -> pc-i440fx-7.2),
 *   <boot dev='hd'/> when nothing says how to boot;
 * - guest CPU defaults: none given -> custom qemu64 (fallback forbid); host-passthrough gets
 *   check='none' migratable='on', host-model check='partial', custom check='none' and its
 *   model fallback='allow' (check='partial' when a KVM domain names its model); <topology> gets dies='1';
 * - CPU and node sets as ranges ("0,1" -> "0-1"), vCPU pins ordered by vCPU;
 * - <clock offset='utc'/>, PS/2 mouse and keyboard, <audio type='none'/>, a virtio
 *   memballoon; MAC addresses lower-cased (and made up when missing); an OVS port id;
 * - elements in libvirt's own order, whatever order they were given in.
 * Not reproduced: the PCI controllers and device addresses libvirt assigns.
 */
export const QEMU_MACHINES: Readonly<Record<string, string>> = { q35: 'pc-q35-7.2', pc: 'pc-i440fx-7.2' };

const DOMAIN_ORDER = [
  'name',
  'uuid',
  'genid',
  'title',
  'description',
  'metadata',
  'maxMemory',
  'memory',
  'currentMemory',
  'blkiotune',
  'memtune',
  'memoryBacking',
  'vcpu',
  'vcpus',
  'iothreads',
  'cputune',
  'numatune',
  'resource',
  'sysinfo',
  'bootloader',
  'os',
  'idmap',
  'features',
  'cpu',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'pm',
  'perf',
  'devices',
  'seclabel',
];
const DEVICE_ORDER = [
  'emulator',
  'disk',
  'controller',
  'lease',
  'filesystem',
  'interface',
  'smartcard',
  'serial',
  'parallel',
  'console',
  'channel',
  'input',
  'tpm',
  'graphics',
  'sound',
  'audio',
  'video',
  'hostdev',
  'redirdev',
  'hub',
  'watchdog',
  'memballoon',
  'rng',
  'panic',
];
const INTERFACE_ORDER = [
  'mac',
  'source',
  'vlan',
  'virtualport',
  'bandwidth',
  'target',
  'guest',
  'model',
  'driver',
  'backend',
  'tune',
  'teaming',
  'mtu',
];
const CPU_ORDER = ['model', 'vendor', 'topology', 'cache', 'feature', 'numa'];

/** Children sorted by `order` (stable; names not listed keep their place after the listed ones). */
function sortChildren(el: XmlElement, order: readonly string[]): void {
  const rank = (n: string): number => (order.includes(n) ? order.indexOf(n) : order.length);
  el.children = el.children
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c.name) - rank(b.c.name) || a.i - b.i)
    .map(({ c }) => c);
}

const UNIT_KIB: Readonly<Record<string, number>> = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  k: 1,
  kib: 1,
  kb: 1000 / 1024,
  m: 1024,
  mib: 1024,
  mb: 1e6 / 1024,
  g: 1048576,
  gib: 1048576,
  gb: 1e9 / 1024,
  t: 1073741824,
  tib: 1073741824,
};

export function toKiB(value: string, unit: string | undefined): number | undefined {
  const f = UNIT_KIB[(unit ?? 'KiB').toLowerCase()];
  if (f === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Math.round(Number(value.trim()) * f);
}

/** `attrs` with `key` set to `value` right after `after` (libvirt's attribute order). */
function withAttr(attrs: Record<string, string>, key: string, value: string, after?: string): Record<string, string> {
  if (key in attrs) return attrs;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    out[k] = v;
    if (k === after) out[key] = value;
  }
  if (!(key in out)) out[key] = value;
  return out;
}

/** A size attribute (`size`, `memory`) with its `unit` rewritten to KiB; false when it is not a size. */
function sizeAttrToKiB(el: XmlElement, attr: string): boolean {
  const v = el.attrs[attr];
  if (v === undefined) return true;
  const kib = toKiB(v, el.attrs.unit);
  if (kib === undefined) return false;
  el.attrs = { ...el.attrs, [attr]: String(kib), unit: 'KiB' };
  return true;
}

function canonicalSet(el: XmlElement, attr: string): void {
  const v = el.attrs[attr];
  if (v === undefined || v.includes('^')) return;
  try {
    el.attrs = { ...el.attrs, [attr]: formatCpuList(parseCpuList(v)) };
  } catch {
    // libvirt's own parser reports it (normalizeDefinition checks pins first)
  }
}

function sizesAndSets(d: XmlElement): string | null {
  for (const page of select(d, 'memoryBacking/hugepages/page')) {
    if (!sizeAttrToKiB(page, 'size')) return `XML error: Invalid value '${page.attrs.size}' for element or attribute 'size'`;
  }
  for (const cell of select(d, 'cpu/numa/cell')) {
    if (!sizeAttrToKiB(cell, 'memory')) return `XML error: Invalid value '${cell.attrs.memory}' for element or attribute 'memory'`;
    canonicalSet(cell, 'cpus');
  }
  const vcpu = child(d, 'vcpu');
  if (vcpu) canonicalSet(vcpu, 'cpuset');
  for (const pin of [...select(d, 'cputune/vcpupin'), ...select(d, 'cputune/emulatorpin')]) canonicalSet(pin, 'cpuset');
  for (const mem of select(d, 'numatune/memory')) canonicalSet(mem, 'nodeset');
  const cputune = child(d, 'cputune');
  if (cputune) {
    const pins = childrenNamed(cputune, 'vcpupin').sort((a, b) => Number(a.attrs.vcpu) - Number(b.attrs.vcpu));
    cputune.children = [...pins, ...cputune.children.filter((c) => c.name !== 'vcpupin')];
    if (cputune.children.length === 0) d.children = d.children.filter((c) => c !== cputune);
  }
  return null;
}

/**
 * What libvirt 9.0's QEMU driver refuses on define for netpin's interface types (each seen on
 * the real tier): an MTU on type direct, hostdev or vdpa, and a bandwidth floor anywhere but on an
 * interface of a libvirt <network>.
 */
function interfaceRefusals(d: XmlElement): string | null {
  for (const iface of select(d, 'devices/interface')) {
    const type = iface.attrs.type ?? '';
    if (child(iface, 'mtu') && (type === 'direct' || type === 'hostdev' || type === 'vdpa'))
      return `unsupported configuration: setting MTU on interface type ${type} is not supported yet`;
    if (type !== 'network' && select(iface, 'bandwidth/inbound').some((r) => r.attrs.floor !== undefined))
      return 'unsupported configuration: floor attribute is not supported for this config';
  }
  return null;
}

function osDefaults(d: XmlElement): void {
  const os = child(d, 'os');
  const type = os && child(os, 'type');
  if (!os || !type) return;
  const machine = type.attrs.machine ?? 'pc';
  type.attrs = { arch: type.attrs.arch ?? 'x86_64', machine: QEMU_MACHINES[machine] ?? machine };
  if (!['boot', 'kernel', 'loader'].some((n) => child(os, n))) os.children.push(element('boot', { dev: 'hd' }));
}

function cpuDefaults(d: XmlElement): void {
  let cpu = child(d, 'cpu');
  const given = cpu !== undefined;
  if (!cpu) {
    cpu = element('cpu', { mode: 'custom', match: 'exact' }, '', [element('model', { fallback: 'forbid' }, 'qemu64')]);
    d.children.push(cpu);
  }
  const mode = cpu.attrs.mode ?? 'custom';
  if (mode === 'host-passthrough') cpu.attrs = withAttr(withAttr(cpu.attrs, 'check', 'none'), 'migratable', 'on');
  else if (mode === 'host-model') cpu.attrs = withAttr(cpu.attrs, 'check', 'partial');
  else {
    // A named model under KVM is compared with the host CPU; the made-up default and TCG's are not.
    const check = given && d.attrs.type === 'kvm' ? 'partial' : 'none';
    cpu.attrs = withAttr({ mode, ...cpu.attrs }, 'check', check);
    const model = child(cpu, 'model');
    if (model) model.attrs = { fallback: 'allow', ...model.attrs };
  }
  const topology = child(cpu, 'topology');
  if (topology) topology.attrs = withAttr(topology.attrs, 'dies', '1', 'sockets');
  sortChildren(cpu, CPU_ORDER);
  if (!child(d, 'clock')) d.children.push(element('clock', { offset: 'utc' }));
}

function hashHex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function interfaceDefaults(iface: XmlElement, seed: string, i: number): void {
  const mac = child(iface, 'mac');
  if (mac?.attrs.address !== undefined) mac.attrs = { ...mac.attrs, address: mac.attrs.address.toLowerCase() };
  else {
    const h = hashHex(seed, 'mac', String(i));
    iface.children.unshift(element('mac', { address: `52:54:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}` }));
  }
  const port = child(iface, 'virtualport');
  if (port?.attrs.type === 'openvswitch' && select(port, 'parameters').length === 0) {
    const h = hashHex(seed, 'ovs', String(i));
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    port.children.push(element('parameters', { interfaceid: id }));
  }
  sortChildren(iface, INTERFACE_ORDER);
}

function deviceDefaults(d: XmlElement, seed: string): void {
  let devices = child(d, 'devices');
  if (!devices) {
    devices = element('devices');
    d.children.push(devices);
  }
  if (!child(devices, 'emulator')) devices.children.unshift(element('emulator', {}, '/usr/bin/qemu-system-x86_64'));
  childrenNamed(devices, 'interface').forEach((iface, i) => interfaceDefaults(iface, seed, i));
  if (childrenNamed(devices, 'input').length === 0) {
    devices.children.push(element('input', { type: 'mouse', bus: 'ps2' }), element('input', { type: 'keyboard', bus: 'ps2' }));
  }
  if (!child(devices, 'audio')) devices.children.push(element('audio', { id: '1', type: 'none' }));
  if (!child(devices, 'memballoon')) devices.children.push(element('memballoon', { model: 'virtio' }));
  sortChildren(devices, DEVICE_ORDER);
}

/**
 * The rewrites above, applied in place to a definition that passed libvirt's checks
 * (normalizeDefinition): returns an error text for a value libvirt would refuse, else null.
 */
export function libvirtDefineRewrites(d: XmlElement, seed: string): string | null {
  const bad = sizesAndSets(d) ?? interfaceRefusals(d);
  if (bad !== null) return bad;
  osDefaults(d);
  cpuDefaults(d);
  deviceDefaults(d, seed);
  sortChildren(d, DOMAIN_ORDER);
  return null;
}
