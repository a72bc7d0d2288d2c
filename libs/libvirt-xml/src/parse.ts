import {
  domainNameSchema,
  ifNameSchema,
  type MacAddress,
  MACVTAP_MODES,
  macAddressSchema,
  parseCpuList,
  pciAddressSchema,
  vlanIdSchema,
  type VlanId,
} from '@netpin/contracts';
import { XMLParser } from 'fast-xml-parser';
import type { z } from 'zod';
import {
  FEATURE_POLICIES,
  GUEST_CPU_MODES,
  LibvirtXmlError,
  NETPIN_XML_NAMESPACE,
  NIC_MODELS,
  NUMA_MEMORY_MODES,
  type Bandwidth,
  type DomainSpec,
  type GuestCpu,
  type InterfaceSpec,
  type NicDriver,
  type Teaming,
  type VlanTrunk,
} from './model';

type Node = { $?: Record<string, string>; '#text'?: string; [child: string]: unknown };

const ARRAYS = new Set([
  'domain.devices.interface',
  'domain.cputune.vcpupin',
  'domain.cpu.numa.cell',
  'domain.memoryBacking.hugepages.page',
  'domain.devices.interface.vlan.tag',
  'domain.cpu.feature',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  alwaysCreateTextNode: true,
  isArray: (_name: string, jpath: unknown) => typeof jpath === 'string' && ARRAYS.has(jpath),
});

/**
 * `virsh dumpxml` (or our own render) -> DomainSpec. Reads only what the model covers;
 * libvirt's additions (currentMemory, resource, aliases other than ua-*, target devs,
 * guest PCI addresses, emulator, disks, consoles ...) are ignored.
 */
export function parseDomain(xml: string): DomainSpec {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (e) {
    throw new LibvirtXmlError('xml', (e as Error).message);
  }
  const d = child(doc, 'domain');
  if (d === undefined) throw new LibvirtXmlError('domain', 'no <domain> root element');
  const spec: DomainSpec = {
    ...(d.$?.['type'] === 'qemu' ? { virtType: 'qemu' as const } : {}),
    name: valid('name', domainNameSchema, text(d, 'name')),
    memoryMiB: memoryMiB('memory', child(d, 'memory')),
    vcpus: uint('vcpu', text(d, 'vcpu')),
    interfaces: [],
  };
  const uuid = child(d, 'uuid');
  if (uuid !== undefined) spec.uuid = (uuid['#text'] ?? '').trim().toLowerCase();
  const mark = child(child(d, 'metadata'), 'netpin:vm');
  if (mark !== undefined && mark.$?.['xmlns:netpin'] === NETPIN_XML_NAMESPACE && mark.$['id'] !== undefined)
    spec.owner = { vmId: mark.$['id'].toLowerCase() };
  const pages = children(child(child(d, 'memoryBacking'), 'hugepages'), 'page');
  if (pages.length > 0) spec.hugepageSizeKiB = toKiB('memoryBacking.hugepages.page', attr(pages[0], 'size'), pages[0].$?.['unit'] ?? 'KiB');
  if (child(child(d, 'memoryBacking'), 'access')?.$?.['mode'] === 'shared') spec.memoryAccess = 'shared';
  const cputune = child(d, 'cputune');
  if (cputune !== undefined) {
    const vcpupins = children(cputune, 'vcpupin').map((p, k) => ({
      vcpu: uint(`cputune.vcpupin[${k}].vcpu`, attr(p, 'vcpu')),
      cpuset: cpus(`cputune.vcpupin[${k}].cpuset`, attr(p, 'cpuset')),
    }));
    const emu = child(cputune, 'emulatorpin');
    if (vcpupins.length > 0 || emu !== undefined) {
      spec.cputune = { vcpupins: vcpupins.sort((a, b) => a.vcpu - b.vcpu) };
      if (emu !== undefined) spec.cputune.emulatorpin = cpus('cputune.emulatorpin', attr(emu, 'cpuset'));
    }
  }
  const numaMem = child(child(d, 'numatune'), 'memory');
  if (numaMem !== undefined) {
    spec.numaMemory = {
      mode: oneOf('numatune.memory.mode', NUMA_MEMORY_MODES, numaMem.$?.['mode'] ?? 'strict'),
      nodeset: cpus('numatune.memory.nodeset', attr(numaMem, 'nodeset')),
    };
  }
  const cpu = child(d, 'cpu');
  if (cpu !== undefined) spec.cpu = guestCpu(cpu);
  spec.interfaces = children(child(d, 'devices'), 'interface').map((i, k) => iface(i, `interfaces[${k}]`));
  return spec;
}

function guestCpu(cpu: Node): GuestCpu {
  // libvirt's default mode is custom; with neither mode nor model the element only carries topology/NUMA.
  const out: GuestCpu = { mode: oneOf('cpu.mode', GUEST_CPU_MODES, cpu.$?.['mode'] ?? 'custom') };
  const model = child(cpu, 'model');
  if (model !== undefined && (model['#text'] ?? '').trim() !== '') out.model = (model['#text'] ?? '').trim();
  const features = children(cpu, 'feature').map((f, k) => ({
    name: attr(f, 'name', `cpu.feature[${k}]`),
    policy: oneOf(`cpu.feature[${k}].policy`, FEATURE_POLICIES, f.$?.['policy'] ?? 'require'),
  }));
  if (features.length > 0) out.features = features.sort((a, b) => a.name.localeCompare(b.name));
  const topo = child(cpu, 'topology');
  if (topo !== undefined) {
    out.topology = {
      sockets: uint('cpu.topology.sockets', attr(topo, 'sockets')),
      cores: uint('cpu.topology.cores', attr(topo, 'cores')),
      threads: uint('cpu.topology.threads', attr(topo, 'threads')),
    };
  }
  const cells = children(child(cpu, 'numa'), 'cell');
  if (cells.length > 0) {
    out.cells = cells.map((c, k) => ({
      id: uint(`cpu.numa.cell[${k}].id`, attr(c, 'id')),
      cpus: cpus(`cpu.numa.cell[${k}].cpus`, attr(c, 'cpus')),
      memoryMiB: toMiB(`cpu.numa.cell[${k}].memory`, attr(c, 'memory'), c.$?.['unit'] ?? 'KiB'),
    }));
  }
  return out;
}

function iface(i: Node, path: string): InterfaceSpec {
  const type = i.$?.['type'];
  const mac = valid(`${path}.mac`, macAddressSchema, attr(child(i, 'mac'), 'address', `${path}.mac`));
  const src = child(i, 'source');
  const common: { alias?: string; teaming?: Teaming } = {};
  const alias = child(i, 'alias')?.$?.['name'];
  if (alias?.startsWith('ua-') === true) common.alias = alias;
  const teaming = child(i, 'teaming');
  if (teaming !== undefined) {
    const t = attr(teaming, 'type', `${path}.teaming`);
    if (t === 'persistent') common.teaming = { type: 'persistent' };
    else if (t === 'transient') common.teaming = { type: 'transient', persistent: attr(teaming, 'persistent', `${path}.teaming`) };
    else throw new LibvirtXmlError(`${path}.teaming`, `unknown teaming type "${t}"`);
  }
  const { vlan, trunk } = parseVlan(child(i, 'vlan'), `${path}.vlan`);
  if (trunk !== undefined && type !== 'bridge')
    throw new LibvirtXmlError(`${path}.vlan`, `netpin puts VLAN trunks on OVS ports only, not on ${String(type)}`);
  if (type === 'hostdev') {
    const a = child(src, 'address');
    if (a === undefined || a.$?.['type'] !== 'pci')
      throw new LibvirtXmlError(`${path}.source`, 'hostdev interface without a PCI source address');
    const hex = (k: string, width: number) =>
      Number.parseInt(attr(a, k, `${path}.source.address`), 16)
        .toString(16)
        .padStart(width, '0');
    const pci = valid(
      `${path}.source.address`,
      pciAddressSchema,
      `${hex('domain', 4)}:${hex('bus', 2)}:${hex('slot', 2)}.${hex('function', 1)}`,
    );
    return { type: 'hostdev', mac, pciAddress: pci, ...(vlan !== undefined ? { vlan } : {}), ...common };
  }
  if (type === 'vhostuser') return vhostUser(i, src, path, mac, common);
  if (type === 'vdpa') return vdpa(i, src, path, mac, common);
  const modelType = child(i, 'model')?.$?.['type'];
  // libvirt's default model for KVM guests is rtl8139 when none is given.
  const model = oneOf(`${path}.model`, NIC_MODELS, modelType ?? 'rtl8139');
  const drv = child(i, 'driver')?.$;
  let driver: NicDriver | undefined;
  if (drv?.['name'] === 'vhost')
    driver = drv['queues'] !== undefined ? { name: 'vhost', queues: uint(`${path}.driver.queues`, drv['queues']) } : { name: 'vhost' };
  else if (drv?.['name'] === 'qemu') driver = { name: 'qemu' };
  const bandwidth = parseBandwidth(child(i, 'bandwidth'), `${path}.bandwidth`);
  const emulated = { model, ...(driver !== undefined ? { driver } : {}), ...(bandwidth !== undefined ? { bandwidth } : {}) };
  if (type === 'direct') {
    return {
      type: 'direct',
      mac,
      sourceDev: valid(`${path}.source.dev`, ifNameSchema, attr(src, 'dev', `${path}.source`)),
      mode: oneOf(`${path}.source.mode`, MACVTAP_MODES, src?.$?.['mode'] ?? 'vepa'),
      ...emulated,
      ...common,
    };
  }
  if (type === 'bridge') {
    const ovs = child(i, 'virtualport')?.$?.['type'] === 'openvswitch';
    const mtu = child(i, 'mtu');
    return {
      type: 'bridge',
      mac,
      bridge: valid(`${path}.source.bridge`, ifNameSchema, attr(src, 'bridge', `${path}.source`)),
      ...(ovs ? { openvswitch: true } : {}),
      ...(vlan !== undefined ? { vlan } : {}),
      ...(trunk !== undefined ? { trunk } : {}),
      ...(mtu !== undefined ? { mtu: uint(`${path}.mtu`, attr(mtu, 'size', `${path}.mtu`)) } : {}),
      ...emulated,
      ...common,
    };
  }
  throw new LibvirtXmlError(path, `interface type "${String(type)}" is not managed by netpin`);
}

/** <bandwidth><inbound|outbound average peak burst/>; floor is outside the model (libvirt refuses it on netpin's interface types). */
function parseBandwidth(b: Node | undefined, path: string): Bandwidth | undefined {
  if (b === undefined) return undefined;
  const out: Bandwidth = {};
  for (const dir of ['inbound', 'outbound'] as const) {
    const r = child(b, dir);
    if (r === undefined) continue;
    const opt = (k: 'peak' | 'burst') => (r.$?.[k] !== undefined ? { [k]: uint(`${path}.${dir}.${k}`, r.$[k]) } : {});
    out[dir] = { average: uint(`${path}.${dir}.average`, attr(r, 'average', `${path}.${dir}`)), ...opt('peak'), ...opt('burst') };
  }
  return out.inbound === undefined && out.outbound === undefined ? undefined : out;
}

/** <interface type='vdpa'>: the character device as libvirt stores it; virtio is the only model. */
function vdpa(i: Node, src: Node | undefined, path: string, mac: MacAddress, common: { alias?: string; teaming?: Teaming }): InterfaceSpec {
  const model = child(i, 'model')?.$?.['type'];
  if (model !== 'virtio') throw new LibvirtXmlError(`${path}.model`, `vDPA is virtio only, got "${String(model)}"`);
  const queues = child(i, 'driver')?.$?.['queues'];
  return {
    type: 'vdpa',
    mac,
    sourceDev: attr(src, 'dev', `${path}.source`),
    model: 'virtio',
    ...(queues !== undefined ? { queues: uint(`${path}.driver.queues`, queues) } : {}),
    ...common,
  };
}

function vhostUser(
  i: Node,
  src: Node | undefined,
  path: string,
  mac: MacAddress,
  common: { alias?: string; teaming?: Teaming },
): InterfaceSpec {
  if (src?.$?.['type'] !== 'unix') throw new LibvirtXmlError(`${path}.source`, 'vhost-user interface without a unix socket source');
  const model = child(i, 'model')?.$?.['type'];
  if (model !== 'virtio') throw new LibvirtXmlError(`${path}.model`, `vhost-user is virtio only, got "${String(model)}"`);
  const queues = child(i, 'driver')?.$?.['queues'];
  const mtu = child(i, 'mtu');
  return {
    type: 'vhostuser',
    mac,
    socketPath: attr(src, 'path', `${path}.source`),
    mode: oneOf(`${path}.source.mode`, ['server', 'client'] as const, src.$?.['mode'] ?? 'client'),
    model: 'virtio',
    ...(queues !== undefined ? { queues: uint(`${path}.driver.queues`, queues) } : {}),
    ...(mtu !== undefined ? { mtu: uint(`${path}.mtu`, attr(mtu, 'size', `${path}.mtu`)) } : {}),
    ...common,
  };
}

/**
 * `<vlan>`: one tag without trunk='yes' or nativeMode is an access VLAN; anything else (libvirt
 * writes trunk='yes' for several tags, and a native tag only on a trunk) is a trunk, its VLANs ascending.
 */
function parseVlan(v: Node | undefined, path: string): { vlan?: VlanId; trunk?: VlanTrunk } {
  const tags = children(v, 'tag');
  if (tags.length === 0) return {};
  const ids = tags.map((t, k) => valid(`${path}.tag[${k}]`, vlanIdSchema, uint(`${path}.tag[${k}]`, attr(t, 'id', `${path}.tag[${k}]`))));
  const natives = tags.flatMap((t, k) => (t.$?.['nativeMode'] !== undefined ? [{ k, mode: t.$['nativeMode'] }] : []));
  if (v?.$?.['trunk'] !== 'yes' && tags.length === 1 && natives.length === 0) return { vlan: ids[0] };
  if (natives.length > 1) throw new LibvirtXmlError(path, 'more than one native VLAN');
  const native = natives[0];
  return {
    trunk: {
      tags: [...ids].sort((a, b) => a - b),
      ...(native
        ? {
            native: { id: ids[native.k], mode: oneOf(`${path}.tag[${native.k}].nativeMode`, ['untagged', 'tagged'] as const, native.mode) },
          }
        : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------

function child(n: Node | undefined, name: string): Node | undefined {
  const c = n?.[name];
  if (c === undefined) return undefined;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
  return c as Node;
}
function children(n: Node | undefined, name: string): Node[] {
  const c = n?.[name];
  return Array.isArray(c) ? (c as Node[]) : [];
}
function text(n: Node, name: string): string {
  const c = child(n, name);
  if (c === undefined) throw new LibvirtXmlError(name, 'element missing');
  return (c['#text'] ?? '').trim();
}
function attr(n: Node | undefined, name: string, path = name): string {
  const v = n?.$?.[name];
  if (v === undefined) throw new LibvirtXmlError(path, `attribute ${name} missing`);
  return v;
}
function uint(path: string, s: string): number {
  if (!/^\d+$/.test(s.trim())) throw new LibvirtXmlError(path, `expected a non-negative integer, got "${s}"`);
  return Number(s.trim());
}
function cpus(path: string, s: string): number[] {
  try {
    return parseCpuList(s);
  } catch (e) {
    throw new LibvirtXmlError(path, (e as Error).message);
  }
}
function valid<S extends z.ZodType>(path: string, schema: S, v: unknown): z.output<S> {
  const r = schema.safeParse(v);
  if (!r.success) throw new LibvirtXmlError(path, r.error.issues.map((x) => x.message).join('; '));
  return r.data;
}
function oneOf<T extends string>(path: string, allowed: readonly T[], v: string): T {
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new LibvirtXmlError(path, `"${v}" is not one of ${allowed.join(', ')}`);
  return found;
}

/** libvirt scaled-integer units (docs: formatdomain "memory"). */
const UNIT_BYTES: Record<string, bigint> = {
  b: 1n,
  bytes: 1n,
  KB: 1000n,
  k: 1024n,
  KiB: 1024n,
  MB: 1000n ** 2n,
  M: 1024n ** 2n,
  MiB: 1024n ** 2n,
  GB: 1000n ** 3n,
  G: 1024n ** 3n,
  GiB: 1024n ** 3n,
  TB: 1000n ** 4n,
  T: 1024n ** 4n,
  TiB: 1024n ** 4n,
};
function scaled(path: string, value: string, unit: string, per: bigint): number {
  const mult = UNIT_BYTES[unit];
  if (mult === undefined) throw new LibvirtXmlError(path, `unknown unit "${unit}"`);
  const bytes = BigInt(uint(path, value)) * mult;
  if (bytes % per !== 0n) throw new LibvirtXmlError(path, `${value} ${unit} is not a whole number of ${per === 1024n ? 'KiB' : 'MiB'}`);
  return Number(bytes / per);
}
function toKiB(path: string, value: string, unit: string): number {
  return scaled(path, value, unit, 1024n);
}
function toMiB(path: string, value: string, unit: string): number {
  return scaled(path, value, unit, 1024n * 1024n);
}
function memoryMiB(path: string, n: Node | undefined): number {
  if (n === undefined) throw new LibvirtXmlError(path, 'element missing');
  return toMiB(path, (n['#text'] ?? '').trim(), n.$?.['unit'] ?? 'KiB');
}
