import { formatCpuList } from '@netpin/contracts';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import {
  LibvirtXmlError,
  NETPIN_XML_NAMESPACE,
  type Bandwidth,
  type BridgeInterface,
  type DomainSpec,
  type InterfaceSpec,
  type VlanTrunk,
} from './model';
import { normaliseDomain } from './normalise';

/**
 * DomainSpec -> libvirt domain XML (KVM, q35, x86_64). Element order follows what libvirt
 * itself writes so that golden files read like `virsh dumpxml`.
 */
export function renderDomain(input: DomainSpec): string {
  checkSpec(input);
  const spec = normaliseDomain(input);
  const d = create().ele('domain', { type: spec.virtType ?? 'kvm' });
  d.ele('name').txt(spec.name);
  if (spec.uuid !== undefined) d.ele('uuid').txt(spec.uuid);
  if (spec.owner !== undefined) {
    d.ele('metadata').ele(NETPIN_XML_NAMESPACE, 'netpin:vm', { id: spec.owner.vmId });
  }
  d.ele('memory', { unit: 'MiB' }).txt(String(spec.memoryMiB));
  if (spec.hugepageSizeKiB !== undefined || spec.memoryAccess !== undefined) {
    const mb = d.ele('memoryBacking');
    if (spec.hugepageSizeKiB !== undefined) mb.ele('hugepages').ele('page', { size: String(spec.hugepageSizeKiB), unit: 'KiB' });
    if (spec.memoryAccess !== undefined) mb.ele('access', { mode: spec.memoryAccess });
  }
  d.ele('vcpu', { placement: 'static' }).txt(String(spec.vcpus));
  if (spec.cputune !== undefined) {
    const t = d.ele('cputune');
    for (const p of spec.cputune.vcpupins) t.ele('vcpupin', { vcpu: String(p.vcpu), cpuset: formatCpuList(p.cpuset) });
    if (spec.cputune.emulatorpin !== undefined) t.ele('emulatorpin', { cpuset: formatCpuList(spec.cputune.emulatorpin) });
  }
  if (spec.numaMemory !== undefined) {
    d.ele('numatune').ele('memory', { mode: spec.numaMemory.mode, nodeset: formatCpuList(spec.numaMemory.nodeset) });
  }
  d.ele('os').ele('type', { arch: 'x86_64', machine: 'q35' }).txt('hvm');
  d.ele('features').ele('acpi').up().ele('apic');
  if (spec.cpu !== undefined) {
    const c = d.ele('cpu', spec.cpu.mode === 'custom' ? { mode: 'custom', match: 'exact' } : { mode: spec.cpu.mode });
    if (spec.cpu.model !== undefined) c.ele('model', { fallback: 'allow' }).txt(spec.cpu.model);
    const topo = spec.cpu.topology;
    if (topo !== undefined) c.ele('topology', { sockets: String(topo.sockets), cores: String(topo.cores), threads: String(topo.threads) });
    for (const f of spec.cpu.features ?? []) c.ele('feature', { policy: f.policy, name: f.name });
    if (spec.cpu.cells !== undefined) {
      const numa = c.ele('numa');
      for (const cell of spec.cpu.cells) {
        numa.ele('cell', { id: String(cell.id), cpus: formatCpuList(cell.cpus), memory: String(cell.memoryMiB), unit: 'MiB' });
      }
    }
  }
  d.ele('on_poweroff').txt('destroy');
  d.ele('on_reboot').txt('restart');
  d.ele('on_crash').txt('destroy');
  const devices = d.ele('devices');
  for (const nic of spec.interfaces) renderInterface(devices, nic);
  return `${d.end({ prettyPrint: true, headless: true, indent: '  ' })}\n`;
}

function renderInterface(devices: XMLBuilder, nic: InterfaceSpec): void {
  const i = devices.ele('interface', nic.type === 'hostdev' ? { type: 'hostdev', managed: 'yes' } : { type: nic.type });
  i.ele('mac', { address: nic.mac });
  switch (nic.type) {
    case 'hostdev': {
      const [domain, bus, slotFn] = nic.pciAddress.split(':');
      const [slot, fn] = slotFn.split('.');
      i.ele('source').ele('address', { type: 'pci', domain: `0x${domain}`, bus: `0x${bus}`, slot: `0x${slot}`, function: `0x${fn}` });
      if (nic.vlan !== undefined) i.ele('vlan').ele('tag', { id: String(nic.vlan) });
      break;
    }
    case 'direct':
      i.ele('source', { dev: nic.sourceDev, mode: nic.mode });
      break;
    case 'bridge':
      i.ele('source', { bridge: nic.bridge });
      if (nic.vlan !== undefined) i.ele('vlan').ele('tag', { id: String(nic.vlan) });
      if (nic.trunk !== undefined) renderTrunk(i, nic.trunk);
      if (nic.openvswitch === true) i.ele('virtualport', { type: 'openvswitch' });
      break;
    case 'vhostuser':
      i.ele('source', { type: 'unix', path: nic.socketPath, mode: nic.mode });
      i.ele('model', { type: nic.model });
      if (nic.queues !== undefined) i.ele('driver', { queues: String(nic.queues) });
      break;
    case 'vdpa':
      i.ele('source', { dev: nic.sourceDev });
      i.ele('model', { type: nic.model });
      if (nic.queues !== undefined) i.ele('driver', { queues: String(nic.queues) });
      break;
  }
  if (nic.type !== 'hostdev' && nic.type !== 'vhostuser' && nic.type !== 'vdpa') {
    if (nic.bandwidth !== undefined) renderBandwidth(i, nic.bandwidth);
    i.ele('model', { type: nic.model });
    if (nic.driver !== undefined) {
      i.ele(
        'driver',
        nic.driver.name === 'vhost' && nic.driver.queues !== undefined
          ? { name: 'vhost', queues: String(nic.driver.queues) }
          : { name: nic.driver.name },
      );
    }
  }
  if (nic.teaming !== undefined) {
    i.ele('teaming', nic.teaming.type === 'transient' ? { type: 'transient', persistent: nic.teaming.persistent } : { type: 'persistent' });
  }
  // after <teaming>, as libvirt 9.0 writes it
  if ((nic.type === 'bridge' || nic.type === 'vhostuser') && nic.mtu !== undefined) i.ele('mtu', { size: String(nic.mtu) });
  if (nic.alias !== undefined) i.ele('alias', { name: nic.alias });
}

function renderTrunk(i: XMLBuilder, t: VlanTrunk): void {
  const vlan = i.ele('vlan', { trunk: 'yes' });
  for (const id of t.tags) vlan.ele('tag', t.native?.id === id ? { id: String(id), nativeMode: t.native.mode } : { id: String(id) });
}

function renderBandwidth(i: XMLBuilder, b: Bandwidth): void {
  const bw = i.ele('bandwidth');
  for (const dir of ['inbound', 'outbound'] as const) {
    const r = b[dir];
    if (r === undefined) continue;
    bw.ele(dir, {
      average: String(r.average),
      ...(r.peak !== undefined ? { peak: String(r.peak) } : {}),
      ...(r.burst !== undefined ? { burst: String(r.burst) } : {}),
    });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS = /^ua-[A-Za-z0-9_-]+$/;
const SOCKET_PATH = /^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

function positive(path: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new LibvirtXmlError(path, `must be a positive integer, got ${String(n)}`);
}

/** Refuse specs libvirt would reject or silently change, before any XML exists. */
function checkSpec(s: DomainSpec): void {
  if (s.uuid !== undefined && !UUID.test(s.uuid)) throw new LibvirtXmlError('uuid', 'must be a lower-case RFC 4122 UUID');
  positive('memoryMiB', s.memoryMiB);
  if (s.owner !== undefined && !UUID.test(s.owner.vmId)) throw new LibvirtXmlError('owner.vmId', 'must be a lower-case RFC 4122 UUID');
  if ((s.cpu?.mode === 'custom') !== (s.cpu?.model !== undefined))
    throw new LibvirtXmlError('cpu.model', 'a model goes with mode custom, and only there');
  const featureNames = (s.cpu?.features ?? []).map((f) => f.name);
  if (featureNames.some((n) => !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(n)) || new Set(featureNames).size !== featureNames.length)
    throw new LibvirtXmlError('cpu.features', 'feature names are lower-case CPUID flags, each once');
  if (s.cpu?.model !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(s.cpu.model))
    throw new LibvirtXmlError('cpu.model', 'not a CPU model name');
  positive('vcpus', s.vcpus);
  if (s.hugepageSizeKiB !== undefined) positive('hugepageSizeKiB', s.hugepageSizeKiB);
  // a switch can map only file-backed shared memory: without huge pages QEMU would need a memfd backend netpin does not write
  if (s.interfaces.some((i) => i.type === 'vhostuser') && (s.memoryAccess !== 'shared' || s.hugepageSizeKiB === undefined))
    throw new LibvirtXmlError('memoryAccess', 'vhost-user interfaces need shared huge-page memory');
  const seen = new Set<number>();
  for (const [k, p] of (s.cputune?.vcpupins ?? []).entries()) {
    if (p.vcpu >= s.vcpus || seen.has(p.vcpu))
      throw new LibvirtXmlError(`cputune.vcpupins[${k}]`, `vcpu ${p.vcpu} is out of range or pinned twice`);
    if (p.cpuset.length === 0) throw new LibvirtXmlError(`cputune.vcpupins[${k}]`, 'empty cpuset');
    seen.add(p.vcpu);
  }
  if (s.cputune?.emulatorpin?.length === 0) throw new LibvirtXmlError('cputune.emulatorpin', 'empty cpuset');
  if (s.numaMemory !== undefined && s.numaMemory.nodeset.length === 0) throw new LibvirtXmlError('numaMemory.nodeset', 'empty nodeset');
  const topo = s.cpu?.topology;
  if (topo !== undefined) {
    positive('cpu.topology.sockets', topo.sockets);
    positive('cpu.topology.cores', topo.cores);
    positive('cpu.topology.threads', topo.threads);
    if (topo.sockets * topo.cores * topo.threads !== s.vcpus)
      throw new LibvirtXmlError('cpu.topology', `sockets*cores*threads must equal vcpus (${s.vcpus})`);
  }
  for (const [k, cell] of (s.cpu?.cells ?? []).entries()) {
    positive(`cpu.cells[${k}].memoryMiB`, cell.memoryMiB);
    if (cell.cpus.some((c) => c >= s.vcpus)) throw new LibvirtXmlError(`cpu.cells[${k}].cpus`, 'names a vCPU the domain does not have');
  }
  const persistentAliases = new Set(s.interfaces.filter((i) => i.teaming?.type === 'persistent').map((i) => i.alias));
  s.interfaces.forEach((nic, k) => checkInterface(nic, `interfaces[${k}]`, persistentAliases));
}

/**
 * One `<interface>` device alone, exactly as renderDomain writes it inside `<devices>`: the
 * fragment `virsh attach-device` / `detach-device` take for a NIC hot-plugged into a running
 * domain. A transient teaming member must name the alias of a persistent member the domain
 * already has (`domainAliases`).
 */
export function renderInterfaceDevice(nic: InterfaceSpec, domainAliases: readonly string[] = []): string {
  checkInterface(nic, 'interface', new Set(domainAliases));
  const doc = create();
  renderInterface(doc, nic);
  return `${doc.end({ prettyPrint: true, headless: true, indent: '  ' })}\n`;
}

function checkInterface(nic: InterfaceSpec, path: string, persistentAliases: ReadonlySet<string | undefined>): void {
  if (nic.alias !== undefined && !ALIAS.test(nic.alias))
    throw new LibvirtXmlError(`${path}.alias`, 'user aliases must match ua-[A-Za-z0-9_-]+');
  if (nic.type === 'vhostuser') {
    if (nic.queues !== undefined) positive(`${path}.queues`, nic.queues);
    if (!SOCKET_PATH.test(nic.socketPath) || nic.socketPath.split('/').some((seg) => /^\.+$/.test(seg)))
      throw new LibvirtXmlError(`${path}.socketPath`, 'an absolute path of [A-Za-z0-9_./-]');
    if (nic.teaming !== undefined) throw new LibvirtXmlError(`${path}.teaming`, 'a vhost-user interface is no teaming member');
    checkMtu(nic.mtu, `${path}.mtu`);
    return;
  }
  if (nic.type === 'vdpa') {
    if (nic.queues !== undefined) positive(`${path}.queues`, nic.queues);
    if (!SOCKET_PATH.test(nic.sourceDev) || nic.sourceDev.split('/').some((seg) => /^\.+$/.test(seg)))
      throw new LibvirtXmlError(`${path}.sourceDev`, 'an absolute path of [A-Za-z0-9_./-]');
    if (nic.teaming !== undefined)
      throw new LibvirtXmlError(`${path}.teaming`, 'a vDPA interface is no teaming member (libvirt fails over only hostdev VFs)');
    return;
  }
  if (nic.type !== 'hostdev' && nic.driver?.name === 'vhost' && nic.driver.queues !== undefined)
    positive(`${path}.driver.queues`, nic.driver.queues);
  if (nic.type !== 'hostdev' && nic.driver !== undefined && nic.model !== 'virtio')
    throw new LibvirtXmlError(`${path}.driver`, 'vhost/qemu drivers apply to virtio only');
  if (nic.teaming?.type === 'persistent' && (nic.type === 'hostdev' || nic.model !== 'virtio' || nic.alias === undefined)) {
    throw new LibvirtXmlError(`${path}.teaming`, 'the persistent member must be a virtio interface with a ua- alias');
  }
  if (nic.teaming?.type === 'transient' && (nic.type !== 'hostdev' || !persistentAliases.has(nic.teaming.persistent))) {
    throw new LibvirtXmlError(`${path}.teaming`, 'the transient member must be a hostdev naming a persistent interface alias');
  }
  if (nic.type === 'bridge' && nic.vlan !== undefined && nic.openvswitch !== true)
    throw new LibvirtXmlError(`${path}.vlan`, 'VLAN tags on bridge interfaces need Open vSwitch');
  if (nic.type === 'bridge' && nic.trunk !== undefined) checkTrunk(nic, `${path}.trunk`);
  if (nic.type === 'bridge') checkMtu(nic.mtu, `${path}.mtu`);
  if (nic.type !== 'hostdev') checkBandwidth(nic.bandwidth, `${path}.bandwidth`);
}

function checkMtu(mtu: number | undefined, path: string): void {
  if (mtu !== undefined && (!Number.isSafeInteger(mtu) || mtu < 68 || mtu > 65535))
    throw new LibvirtXmlError(path, `must be an MTU of 68-65535, got ${String(mtu)}`);
}

/** Open vSwitch only (libvirt refuses <vlan> on a Linux-bridge tap at start), 1..4094 ascending, the native one listed. */
function checkTrunk(nic: BridgeInterface, path: string): void {
  const t = nic.trunk;
  if (t === undefined) return;
  if (nic.openvswitch !== true) throw new LibvirtXmlError(path, 'VLAN trunks on bridge interfaces need Open vSwitch');
  if (nic.vlan !== undefined) throw new LibvirtXmlError(path, 'an interface has an access vlan or a trunk, not both');
  if (t.tags.length === 0) throw new LibvirtXmlError(`${path}.tags`, 'a trunk needs at least one VLAN');
  t.tags.forEach((id, k) => {
    if (!Number.isSafeInteger(id) || id < 1 || id > 4094)
      throw new LibvirtXmlError(`${path}.tags[${k}]`, `VLAN ${String(id)} is not 1-4094`);
    if (k > 0 && t.tags[k - 1] >= id) throw new LibvirtXmlError(`${path}.tags[${k}]`, 'trunk VLANs must be distinct and ascending');
  });
  if (t.native !== undefined && !t.tags.includes(t.native.id))
    throw new LibvirtXmlError(`${path}.native`, `native VLAN ${t.native.id} is not among the trunk's VLANs`);
}

function checkBandwidth(b: Bandwidth | undefined, path: string): void {
  if (b === undefined) return;
  if (b.inbound === undefined && b.outbound === undefined) throw new LibvirtXmlError(path, 'an empty <bandwidth> says nothing');
  for (const dir of ['inbound', 'outbound'] as const) {
    const r = b[dir];
    if (r === undefined) continue;
    positive(`${path}.${dir}.average`, r.average);
    if (r.peak !== undefined) positive(`${path}.${dir}.peak`, r.peak);
    if (r.burst !== undefined) positive(`${path}.${dir}.burst`, r.burst);
  }
}
