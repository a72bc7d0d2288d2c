import { createHash } from 'node:crypto';
import { parseCpuList } from '@netpin/contracts';
import { type DomainRecord, type HostModel, SIZE_1G_KIB, SIZE_2M_KIB } from './model';
import { libvirtDefineRewrites, toKiB } from './libvirt-define';
import { QEMU_CPU_MODELS } from './qemu-cpus';
import { type XmlElement, child, cloneXml, element, insertAfter, select } from './xml-tree';

export { toKiB };

/**
 * libvirt's behaviour around a domain definition: what `define` adds to the XML, what
 * `start` checks against the host (with libvirt's error texts), and what the live XML
 * carries while the domain runs.
 */
export class DomainStartError extends Error {
  readonly code = 'DOMAIN_START_FAILED';
}

function hashHex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

export function makeUuid(host: string, name: string, seq: number): string {
  const h = hashHex(host, name, String(seq));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function pciFromAttrs(a: Record<string, string>): string {
  const h = (v: string | undefined, w: number): string =>
    parseInt(v ?? '0', 16)
      .toString(16)
      .padStart(w, '0');
  return `${h(a.domain, 4)}:${h(a.bus, 2)}:${h(a.slot, 2)}.${parseInt(a.function ?? '0', 16)}`;
}

/** Validation and normalisation libvirt applies at define time. Returns an error text or the root. */
export function normalizeDefinition(root: XmlElement, host: string, uuidSeq: number): XmlElement | string {
  if (root.name !== 'domain') return `XML error: expecting root element of 'domain', not '${root.name}'`;
  if (!root.attrs.type) return 'XML error: missing domain type attribute';
  const name = child(root, 'name')?.text.trim();
  if (!name) return 'missing name information';
  if (name.includes('/')) return `XML error: name ${name} cannot contain '/'`;
  const d = cloneXml(root);
  if (!child(d, 'uuid')) insertAfter(d, element('uuid', {}, makeUuid(host, name, uuidSeq)), ['name']);
  const mem = child(d, 'memory');
  if (!mem) return 'XML error: missing memory element';
  if (mem.attrs.unit !== undefined && toKiB('1', mem.attrs.unit) === undefined)
    return `invalid argument: unknown suffix '${mem.attrs.unit}'`;
  const kib = toKiB(mem.text, mem.attrs.unit);
  if (kib === undefined || kib === 0) return `XML error: Invalid value '${mem.text}' for element or attribute './memory[1]'`;
  mem.attrs = { unit: 'KiB' };
  mem.text = String(kib);
  if (!child(d, 'currentMemory')) insertAfter(d, element('currentMemory', { unit: 'KiB' }, String(kib)), ['memory']);
  const vcpu = child(d, 'vcpu');
  if (!vcpu) return 'XML error: missing vcpu element';
  if (!vcpu.attrs.placement) vcpu.attrs = { placement: 'static', ...vcpu.attrs };
  const nvcpu = Number(vcpu.text.trim());
  const cputune = child(d, 'cputune');
  // libvirt 9.0 drops a pin of a vCPU the domain does not have, without a word.
  if (cputune) cputune.children = cputune.children.filter((c) => c.name !== 'vcpupin' || Number(c.attrs.vcpu) < nvcpu);
  for (const pin of select(d, 'cputune/vcpupin')) {
    if (pin.attrs.cpuset !== undefined && !validCpuList(pin.attrs.cpuset))
      return `invalid argument: Failed to parse bitmap '${pin.attrs.cpuset}'`;
  }
  const cur = child(d, 'currentMemory');
  const curKiB = cur && toKiB(cur.text, cur.attrs.unit);
  if (cur && curKiB !== undefined) {
    cur.attrs = { unit: 'KiB' };
    cur.text = String(curKiB);
  }
  return libvirtDefineRewrites(d, `${host}\0${name}`) ?? d;
}

function validCpuList(s: string): boolean {
  try {
    parseCpuList(s.replace(/\^\d+/g, '').replace(/,,+/g, ','));
    return true;
  } catch {
    return false;
  }
}

function cpusOf(s: string): number[] {
  const excluded = [...s.matchAll(/\^(\d+)/g)].map((m) => Number(m[1]));
  const base = parseCpuList(
    s
      .split(',')
      .filter((p) => !p.startsWith('^'))
      .join(','),
  );
  return base.filter((c) => !excluded.includes(c));
}

function startError(msg: string): never {
  throw new DomainStartError(msg);
}

/** Pinned CPUs must exist; the NUMA nodes memory may come from (all, unless numatune says) too. */
function checkCpusAndNodes(m: HostModel, x: XmlElement): number[] {
  const cpusets = [
    child(x, 'vcpu')?.attrs.cpuset,
    ...select(x, 'cputune/vcpupin').map((p) => p.attrs.cpuset),
    ...select(x, 'cputune/emulatorpin').map((p) => p.attrs.cpuset),
  ];
  for (const cs of cpusets) {
    if (cs === undefined) continue;
    const missing = cpusOf(cs).filter((c) => !m.hasCpu(c));
    if (missing.length > 0) startError(`Invalid value '${cs}' for 'cpuset.cpus': Invalid argument`);
  }
  const nodeset = select(x, 'numatune/memory')[0]?.attrs.nodeset;
  const nodes = nodeset !== undefined ? parseCpuList(nodeset) : m.spec.numaNodes.map((_, i) => i);
  for (const n of nodes) if (n >= m.spec.numaNodes.length) startError(`unsupported configuration: NUMA node ${n} is unavailable`);
  return nodes;
}

/** Claims PCI addresses for one starting domain: each once, none held by another live domain. */
export function pciClaimer(m: HostModel, d: DomainRecord, pci: string[]): (addr: string) => void {
  const heldBy = (addr: string): DomainRecord | undefined =>
    [...m.domains.values()].find((o) => o !== d && o.live && o.held.pci.includes(addr));
  return (addr) => {
    if (!m.spec.iommu) startError("unsupported configuration: host doesn't support passthrough of host PCI devices");
    if (!m.pciDevice(addr))
      startError(`Device ${addr} not found: could not access /sys/bus/pci/devices/${addr}/config: No such file or directory`);
    const other = heldBy(addr);
    if (other || pci.includes(addr))
      startError(`Requested operation is not valid: PCI device ${addr} is in use by driver QEMU, domain ${other?.name ?? d.name}`);
    pci.push(addr);
  };
}

/** One <interface>: its bridge, device or VF must exist and suit it, and vhost-net be there if asked for. */
export function checkInterface(m: HostModel, iface: XmlElement, claimPci: (addr: string) => void): void {
  const src = child(iface, 'source');
  const driver = child(iface, 'driver');
  switch (iface.attrs.type) {
    case 'bridge': {
      const br = src?.attrs.bridge ?? '';
      const b = m.bridge(br);
      if (!b) startError(`Cannot get interface MTU on '${br}': No such device`);
      const wantsOvs = child(iface, 'virtualport')?.attrs.type === 'openvswitch';
      if (b && wantsOvs && b.kind !== 'ovs')
        startError(`Unable to add port vnet${m.nextVnet} to OVS bridge ${br}: ovs-vsctl: no bridge named ${br}`);
      if (b && !wantsOvs && b.kind === 'ovs') startError(`Unable to add bridge ${br} port vnet${m.nextVnet}: Operation not supported`);
      break;
    }
    case 'direct': {
      const dev = src?.attrs.dev ?? '';
      if (!m.nic(dev)) startError(`Unable to get index for interface ${dev}: No such device`);
      break;
    }
    case 'vhostuser': {
      // mode server: QEMU waits for the switch's dpdkvhostuserclient port to connect to its socket
      const path = src?.attrs.path ?? '';
      const port = m.ovsPorts.find((p) => p.type === 'dpdkvhostuserclient' && p.options['vhost-server-path'] === path);
      const onNetdev = port !== undefined && m.bridge(port.bridge)?.datapathType === 'netdev';
      if (src?.attrs.mode === 'server' && !onNetdev)
        startError(`internal error: QEMU waiting for connection on: disconnected:unix:${path},server=on: no vhost-user client connected`);
      break;
    }
    case 'vdpa': {
      // libvirt opens the chardev itself before QEMU starts (real libvirt 9.0, seen on the real tier)
      const dev = src?.attrs.dev ?? '';
      const minor = /^\/dev\/vhost-vdpa-(\d+)$/.exec(dev)?.[1];
      if (minor === undefined || !m.vdpaDevices.some((d) => d.minor === Number(minor)))
        startError(`Unable to open '${dev}' for vdpa device: No such file or directory`);
      break;
    }
    case 'network':
      startError(`Network not found: no network with matching name '${src?.attrs.network ?? ''}'`);
      break;
    case 'hostdev': {
      const a = src && child(src, 'address');
      if (a) claimPci(pciFromAttrs(a.attrs));
      break;
    }
    default:
      break;
  }
  if (driver?.attrs.name === 'vhost' && !m.spec.vhostNet)
    startError('unsupported configuration: vhost-net is not supported with this QEMU binary');
}

/** Hugepages backing the guest's memory, taken from the allowed nodes' pools in order. */
function claimHugepages(m: HostModel, x: XmlElement, nodes: number[]): DomainRecord['held']['hugepages'] {
  const hugepages: DomainRecord['held']['hugepages'] = [];
  const hp = select(x, 'memoryBacking/hugepages')[0];
  if (!hp) return hugepages;
  const page = child(hp, 'page');
  const sizeKiB = page ? (toKiB(page.attrs.size ?? '', page.attrs.unit) ?? -1) : SIZE_2M_KIB;
  if (sizeKiB !== SIZE_2M_KIB && sizeKiB !== SIZE_1G_KIB)
    startError(`internal error: Unable to find any usable hugetlbfs mount for ${sizeKiB} KiB`);
  let pages = Math.ceil(Number(child(x, 'memory')?.text ?? '0') / sizeKiB);
  for (const n of nodes) {
    const pool = m.hugePool(n, sizeKiB);
    if (!pool || pages === 0) continue;
    const take = Math.min(pool.nr - pool.used, pages);
    if (take > 0) hugepages.push({ node: n, sizeKiB, pages: take });
    pages -= take;
  }
  if (pages > 0)
    startError(
      'internal error: qemu unexpectedly closed the monitor: qemu-system-x86_64: unable to map backing store for guest RAM: Cannot allocate memory',
    );
  return hugepages;
}

/** The checks a real start makes against host resources; throws with libvirt's message. */
export function checkStart(m: HostModel, d: DomainRecord): { pci: string[]; hugepages: DomainRecord['held']['hugepages'] } {
  const x = d.config;
  if (x.attrs.type === 'kvm' && !m.spec.kvm) startError('invalid argument: could not find capabilities for domaintype=kvm');
  const model = select(x, 'cpu/model')[0]?.text.trim();
  if (model !== undefined && model !== '' && !QEMU_CPU_MODELS.has(model)) startError(`internal error: Unknown CPU model ${model}`);
  const nodes = checkCpusAndNodes(m, x);
  const pci: string[] = [];
  const claimPci = pciClaimer(m, d, pci);
  for (const hd of select(x, 'devices/hostdev')) {
    if (hd.attrs.type !== 'pci') continue;
    const a = select(hd, 'source/address')[0];
    if (a) claimPci(pciFromAttrs(a.attrs));
  }
  for (const iface of select(x, 'devices/interface')) checkInterface(m, iface, claimPci);
  return { pci, hugepages: claimHugepages(m, x, nodes) };
}

/**
 * What plugging one <interface> into a running domain does on the host (at start, or a live
 * attach-device): a tap or macvtap device, the VF programmed with the interface's MAC and
 * VLAN, and the interface's target and alias in the live XML.
 */
export function plugInterface(m: HostModel, d: DomainRecord, iface: XmlElement, i: number): void {
  const mac = child(iface, 'mac')?.attrs.address ?? '52:54:00:00:00:00';
  const src = child(iface, 'source');
  if (iface.attrs.type === 'bridge' || iface.attrs.type === 'direct') {
    const direct = iface.attrs.type === 'direct';
    const dev = direct ? `macvtap${m.nextMacvtap++}` : `vnet${m.nextVnet++}`;
    m.taps.push({
      name: dev,
      kind: direct ? 'macvtap' : 'tap',
      master: direct ? undefined : src?.attrs.bridge,
      lower: direct ? src?.attrs.dev : undefined,
      mode: src?.attrs.mode,
      mac,
      mtu: direct ? (m.nic(src?.attrs.dev ?? '')?.mtu ?? 1500) : Number(child(iface, 'mtu')?.attrs.size ?? '1500'),
      domain: d.name,
      multiQueue: Number(child(iface, 'driver')?.attrs.queues ?? '1') > 1,
    });
    const target = child(iface, 'target');
    if (target) target.attrs.dev = dev;
    else insertAfter(iface, element('target', { dev }), ['mac', 'source', 'virtualport']);
  }
  if (iface.attrs.type === 'hostdev') {
    const a = src && child(src, 'address');
    const dev = a ? m.pciDevice(pciFromAttrs(a.attrs)) : undefined;
    if (dev?.vf) {
      dev.vf.mac = mac;
      const tag = select(iface, 'vlan/tag')[0]?.attrs.id;
      if (tag !== undefined) dev.vf.vlan = Number(tag);
    }
  }
  insertAfter(iface, element('alias', { name: iface.attrs.type === 'hostdev' ? `hostdev${i}` : `net${i}` }), [
    'mac',
    'source',
    'virtualport',
    'target',
    'model',
    'driver',
    'vlan',
  ]);
}

/** Build the live XML and host-side effects (taps, VF MAC/VLAN) of a domain that starts. */
export function applyStart(m: HostModel, d: DomainRecord, held: DomainRecord['held']): void {
  const live = cloneXml(d.config);
  d.id = m.nextDomainId++;
  live.attrs = { type: live.attrs.type, id: String(d.id), ...live.attrs };
  for (const h of held.hugepages) {
    const pool = m.hugePool(h.node, h.sizeKiB);
    if (pool) pool.used += h.pages;
  }
  select(live, 'devices/interface').forEach((iface, i) => plugInterface(m, d, iface, i));
  select(live, 'devices/hostdev').forEach((hd, i) => insertAfter(hd, element('alias', { name: `hostdev${i}` }), ['source', 'driver']));
  if (!child(live, 'resource'))
    insertAfter(live, element('resource', {}, '', [element('partition', {}, '/machine')]), [
      'cputune',
      'numatune',
      'vcpu',
      'currentMemory',
    ]);
  d.live = live;
  d.held = held;
  d.reason = 'booted';
  d.guestReboots = 0;
  d.freeHotplugSlots = 1;
}

export function applyStop(m: HostModel, d: DomainRecord, reason: 'destroyed' | 'shutdown' | 'migrated' = 'destroyed'): void {
  for (const h of d.held.hugepages) {
    const pool = m.hugePool(h.node, h.sizeKiB);
    if (pool) pool.used = Math.max(0, pool.used - h.pages);
  }
  m.taps = m.taps.filter((t) => t.domain !== d.name);
  d.live = undefined;
  d.id = undefined;
  d.held = { pci: [], hugepages: [] };
  d.reason = reason;
  if (!d.persistent) m.domains.delete(d.name);
}

/**
 * `virsh shutdown` / `virsh reboot` as the guest sees them: an ACPI event the guest OS
 * answers after `guest.shutdownDelayMs` (powering off, or rebooting inside the same running
 * domain), or never when it ignores ACPI. Only the run of the domain it was sent to is
 * affected: a domain destroyed and started again meanwhile does not power off.
 */
export function sendAcpi(m: HostModel, d: DomainRecord, request: 'shutdown' | 'reboot'): void {
  if (m.guest.acpi === 'ignore') return;
  const run = d.id;
  const timer = setTimeout(() => {
    if (d.live === undefined || d.id !== run || m.domains.get(d.name) !== d) return;
    if (request === 'shutdown') applyStop(m, d, 'shutdown');
    else d.guestReboots = (d.guestReboots ?? 0) + 1;
  }, m.guest.shutdownDelayMs);
  timer.unref();
}
