import {
  ifNameSchema,
  type ForeignDomain,
  pciAddressSchema,
  type HostFacts,
  type IfName,
  type NicFacts,
  type NumaNodeFacts,
  type OvsDatapathType,
  type PciAddress,
  type VfFacts,
} from '@netpin/contracts';
import type { CommandOutput, HostCommand } from './command';
import {
  ethtoolShowChannels,
  ipLinkShow,
  listDir,
  lscpu,
  ovsBridgeDatapaths,
  ovsDpdkInitialized,
  ovsListBridges,
  ovsPmdCpuMask,
  pathsExist,
  readFile,
  readFiles,
  readLinks,
  virshDumpxmlListed,
  virshListAllNames,
} from './builders';
import { parseDomainHoldings } from './parsers/domain-holdings';
import { parseVirshListNames } from './parsers/virsh';
import { HostOutputParseError } from './errors';
import { HUGEPAGE_SIZES_KIB, hostPaths } from './paths';
import { cpuList, parseCpuFlags, parseLscpu, parseNodeMeminfo, siblingsFromLscpu, type LscpuRow } from './parsers/cpu';
import { parseEthtoolChannels } from './parsers/ethtool';
import {
  cmdlineEnablesIommu,
  parseCpuMaskFile,
  parseExistingPaths,
  parseGrepFiles,
  parsePciIdFile,
  parsePciLinkTarget,
  parseReadlinks,
  parseUevent,
} from './parsers/files';
import { nicQueueIrqs, parseProcInterrupts, type ProcInterrupts } from './parsers/interrupts';
import { parseIpLinkShow, type IpLink } from './parsers/ip-link';
import { parseIntFile, parseUintFile, splitLines } from './parsers/lines';
import { parseOvsBoolean, parseOvsBridgeDatapaths, parsePmdCpuMask } from './parsers/ovs';
import { vdpaDevShow, vdpaMgmtdevShow } from './builders-vdpa';
import { parseVdpaDevices, parseVdpaMgmtdevs } from './parsers/vdpa';

/**
 * Discovery runs in up to three rounds because later reads depend on earlier answers (which
 * links exist, which of them are PCI NICs, how many VFs and queues they have). The agent loops:
 *
 *   const out: Record<string, CommandOutput> = {};
 *   for (let s = nextDiscoverySteps(out); s.length > 0; s = nextDiscoverySteps(out))
 *     for (const { key, command } of s) out[key] = await transport.run(command);
 *   const facts = assembleFacts(out);
 *
 * Steps of one round are independent and may run in parallel.
 */
export interface DiscoveryStep {
  key: string;
  command: HostCommand;
}
export type DiscoveryOutputs = Readonly<Record<string, CommandOutput>>;

const ROUND1: Record<string, () => HostCommand> = {
  lscpu: () => lscpu(),
  cpuflags: () => ({ argv: ['grep', '-m', '2', '-E', '^(flags|vmx flags)', hostPaths.procCpuinfo] }),
  cmdline: () => readFile(hostPaths.procCmdline),
  iommu: () => listDir(hostPaths.iommuClass),
  presence: () => pathsExist([hostPaths.devKvm, hostPaths.devVhostNet, hostPaths.devVfio, hostPaths.vhostVdpaDriver]),
  links: () => ipLinkShow(),
  ovsBridges: () => ovsListBridges(),
  ovsDpdk: () => ovsDpdkInitialized(),
  ovsPmdMask: () => ovsPmdCpuMask(),
  ovsBridgeTypes: () => ovsBridgeDatapaths(),
  domains: () => virshListAllNames(),
  vdpaMgmtdevs: () => vdpaMgmtdevShow(),
  vdpaDevs: () => vdpaDevShow(),
  interrupts: () => readFile(hostPaths.procInterrupts),
};
const SYSFS = 'sysfs';
const MULTI_READ_OK = [0, 1, 2];
const IRQFILES = 'irqfiles';
/** Upper bound of queues we read RPS masks for, per NIC (one grep line each). */
const MAX_RPS_QUEUES = 256;

export function nextDiscoverySteps(out: DiscoveryOutputs): DiscoveryStep[] {
  const missing = Object.keys(ROUND1).filter((k) => !(k in out));
  if (missing.length > 0) return missing.map((key) => ({ key, command: ROUND1[key]() }));
  const r1 = round1(out);
  if (!(SYSFS in out)) {
    const steps: DiscoveryStep[] = [{ key: SYSFS, command: readFiles(sysfsPaths(r1)) }];
    for (const l of r1.candidates) {
      if (l.link.vfs.length > 0) steps.push({ key: `virtfn:${l.name}`, command: readLinks(virtfnPaths(l)) });
    }
    for (const name of listedDomains(out)) steps.push({ key: `${DUMPXML}${name}`, command: virshDumpxmlListed(name) });
    return steps;
  }
  // Round 3: only PCI NICs (known from round 2's uevent files) get the per-NIC reads.
  const nics = nicDevices(r1, sysfsFiles(out, r1));
  const paths = irqFilePaths(r1, nics);
  const steps: DiscoveryStep[] = paths.length > 0 && !(IRQFILES in out) ? [{ key: IRQFILES, command: readFiles(paths) }] : [];
  for (const n of nics) {
    const key = `ethtool:${n.name}`;
    if (!(key in out)) steps.push({ key, command: ethtoolShowChannels(n.name) });
  }
  return steps;
}

interface Candidate {
  name: IfName;
  link: IpLink;
}
interface Round1 {
  cpus: LscpuRow[];
  nodes: number[];
  candidates: Candidate[];
  linuxBridges: IfName[];
  interrupts: ProcInterrupts;
}

function required(out: DiscoveryOutputs, key: string, okCodes: readonly number[] = [0]): string {
  const o = out[key];
  if (o === undefined) throw new HostOutputParseError('discovery', `no output for step "${key}"`);
  if (!okCodes.includes(o.exitCode)) {
    throw new HostOutputParseError('discovery', `step "${key}" exited with ${o.exitCode}`, (o.stderr ?? '').trim());
  }
  return o.stdout;
}

/**
 * Parses kept per outputs object while its answers are the same objects: the agent calls
 * nextDiscoverySteps once per round and then assembleFacts with the same record, which parsed
 * lscpu, ip link and /proc/interrupts four times and the sysfs answer twice (issue 16: most of
 * the agent's CPU per discovered host).
 */
const parsed = new WeakMap<DiscoveryOutputs, { r1In: unknown[]; r1: Round1; sysfsIn?: CommandOutput; files?: Map<string, string> }>();

function round1(out: DiscoveryOutputs): Round1 {
  const r1In = [out['lscpu'], out['links'], out['interrupts']];
  const hit = parsed.get(out);
  if (hit && hit.r1In.every((o, i) => o === r1In[i])) return hit.r1;
  const r1 = parseRound1(out);
  parsed.set(out, { r1In, r1 });
  return r1;
}

function parseRound1(out: DiscoveryOutputs): Round1 {
  const cpus = parseLscpu(required(out, 'lscpu'));
  const links = parseIpLinkShow(required(out, 'links'));
  const candidates: Candidate[] = [];
  const linuxBridges: IfName[] = [];
  for (const link of links) {
    if (link.kind === 'bridge') {
      const br = ifNameSchema.safeParse(link.name);
      if (br.success) linuxBridges.push(br.data);
    }
    // Every Ethernet link is a candidate; its device/uevent (round 2) tells whether it is a
    // PCI NIC. Bridges, taps and macvtaps have no device folder and drop out there. (The link
    // kind does not decide: a PF enslaved to a bridge or bond keeps kind null, and the real
    // test tier presents its NICs as veths with a PCI device folder.)
    if (link.linkType !== 'ether') continue;
    const name = ifNameSchema.safeParse(link.name);
    if (name.success) candidates.push({ name: name.data, link });
  }
  return {
    cpus,
    nodes: [...new Set(cpus.map((c) => c.node))].sort((a, b) => a - b),
    candidates,
    linuxBridges,
    interrupts: parseProcInterrupts(required(out, 'interrupts')),
  };
}

function sysfsPaths(r1: Round1): string[] {
  const paths: string[] = [];
  for (const node of r1.nodes) {
    paths.push(hostPaths.nodeCpulist(node), hostPaths.nodeMeminfo(node));
    for (const size of HUGEPAGE_SIZES_KIB) {
      paths.push(hostPaths.nodeHugepages(node, size, 'nr_hugepages'), hostPaths.nodeHugepages(node, size, 'free_hugepages'));
    }
  }
  for (const { name } of r1.candidates) {
    paths.push(
      hostPaths.netDeviceFile(name, 'uevent'),
      hostPaths.netDeviceFile(name, 'numa_node'),
      hostPaths.netDeviceFile(name, 'sriov_totalvfs'),
      hostPaths.netDeviceFile(name, 'sriov_numvfs'),
      hostPaths.netDeviceFile(name, 'vendor'),
      hostPaths.netDeviceFile(name, 'device'),
      hostPaths.netSpeed(name),
    );
  }
  return paths;
}

function virtfnPaths(c: Candidate): string[] {
  return c.link.vfs.map((vf) => hostPaths.virtfn(c.name, vf.index));
}

function sysfsFiles(out: DiscoveryOutputs, r1: Round1): Map<string, string> {
  const memo = parsed.get(out);
  if (memo && memo.r1 === r1 && memo.files && memo.sysfsIn === out[SYSFS]) return memo.files;
  const files = parseGrepFiles(required(out, SYSFS, MULTI_READ_OK), sysfsPaths(r1));
  if (memo && memo.r1 === r1) Object.assign(memo, { sysfsIn: out[SYSFS], files });
  return files;
}

interface NicDevice extends Candidate {
  pci: PciAddress;
  driver: string | null;
  /** uevent PCI_ID ("8086:1572"), the fallback when device/vendor or device/device is unreadable. */
  pciId: string | null;
}

/** Candidates that are PCI devices (their device/uevent names a PCI slot). */
function nicDevices(r1: Round1, files: Map<string, string>): NicDevice[] {
  const out: NicDevice[] = [];
  for (const c of r1.candidates) {
    const uevent = files.get(hostPaths.netDeviceFile(c.name, 'uevent'));
    if (uevent === undefined) continue;
    const ev = parseUevent(uevent);
    const slot = ev.get('PCI_SLOT_NAME');
    if (slot === undefined) continue;
    const pci = pciAddressSchema.safeParse(slot);
    if (!pci.success) throw new HostOutputParseError('uevent', 'PCI_SLOT_NAME is not a PCI address', slot);
    out.push({ ...c, pci: pci.data, driver: ev.get('DRIVER') ?? null, pciId: ev.get('PCI_ID') ?? null });
  }
  return out;
}

function rxQueueCount(l: IpLink): number {
  return Math.min(l.numRxQueues ?? 1, MAX_RPS_QUEUES);
}

function irqFilePaths(r1: Round1, nics: NicDevice[]): string[] {
  const paths: string[] = [];
  for (const nic of nics) {
    for (const q of nicQueueIrqs(r1.interrupts, nic.name, nic.pci)) paths.push(hostPaths.irqAffinityList(q.irq));
    for (let q = 0; q < rxQueueCount(nic.link); q++) paths.push(hostPaths.rpsCpus(nic.name, q));
  }
  return [...new Set(paths)];
}

interface VfAddresses {
  /** PF name → VF index → VF PCI address. */
  vfPci: Map<IfName, Map<number, PciAddress>>;
  /** VF PCI address → its PF and index. */
  vfOwner: Map<PciAddress, { pf: IfName; index: number }>;
}

/** VF PCI addresses from the virtfn links, so that VF netdevs on the host can be tied to their PF. */
function vfAddresses(out: DiscoveryOutputs, nics: NicDevice[]): VfAddresses {
  const vfPci = new Map<IfName, Map<number, PciAddress>>();
  const vfOwner = new Map<PciAddress, { pf: IfName; index: number }>();
  for (const nic of nics) {
    const key = `virtfn:${nic.name}`;
    const o = out[key];
    if (o === undefined || nic.link.vfs.length === 0) continue;
    const m = new Map<number, PciAddress>();
    // A partial answer (exit 1) keeps request order but hides which link was missing, so
    // only a complete one is used; the VFs then carry no PCI address.
    if (o.exitCode === 0) {
      const targets = parseReadlinks(o.stdout, nic.link.vfs.length);
      nic.link.vfs.forEach((vf, i) => {
        const pci = parsePciLinkTarget(targets[i]);
        m.set(vf.index, pci);
        vfOwner.set(pci, { pf: nic.name, index: vf.index });
      });
    }
    vfPci.set(nic.name, m);
  }
  return { vfPci, vfOwner };
}

interface NicInputs {
  out: DiscoveryOutputs;
  r1: Round1;
  files: Map<string, string>;
  irqFiles: Map<string, string>;
  vfs: VfAddresses;
}

/** One NIC's facts from its sysfs files, ethtool, RPS masks and IRQ affinities. */
function nicFacts(nic: NicDevice, { out, r1, files, irqFiles, vfs: addrs }: NicInputs): NicFacts {
  const file = (f: Parameters<typeof hostPaths.netDeviceFile>[1]) => files.get(hostPaths.netDeviceFile(nic.name, f));
  const numa = file('numa_node');
  const numaNode = numa === undefined ? null : parseIntFile('numa_node', numa);
  const speedText = files.get(hostPaths.netSpeed(nic.name));
  const speed = speedText === undefined ? null : parseIntFile('speed', speedText);
  const total = file('sriov_totalvfs');
  const eth = out[`ethtool:${nic.name}`];
  const rps: NicFacts['rps'] = [];
  for (let q = 0; q < rxQueueCount(nic.link); q++) {
    const mask = irqFiles.get(hostPaths.rpsCpus(nic.name, q));
    if (mask !== undefined) rps.push({ queue: q, cpus: parseCpuMaskFile('rps_cpus', mask) });
  }
  const ids = pciIds(nic, file('vendor'), file('device'));
  const vfs: VfFacts[] = nic.link.vfs.map((vf) => ({ ...vf, pciAddress: addrs.vfPci.get(nic.name)?.get(vf.index) ?? null }));
  return {
    name: nic.name,
    pciAddress: nic.pci,
    driver: nic.driver,
    vendorId: ids.vendorId,
    deviceId: ids.deviceId,
    mac: macOf(nic),
    mtu: nic.link.mtu,
    // loopback-like devices print maxmtu 0 (no limit the kernel checks)
    maxMtu: nic.link.maxMtu === null || nic.link.maxMtu === 0 ? null : nic.link.maxMtu,
    operState: nic.link.state,
    speedMbps: speed === null || speed < 0 ? null : speed,
    numaNode: numaNode === null || numaNode < 0 ? null : numaNode,
    vfOf: addrs.vfOwner.get(nic.pci) ?? null,
    channels: eth !== undefined && eth.exitCode === 0 ? parseEthtoolChannels(eth.stdout) : null,
    rxQueues: rps.length > 0 ? rps.length : (nic.link.numRxQueues ?? 1),
    txQueues: nic.link.numTxQueues ?? 1,
    rps,
    irqs: nicQueueIrqs(r1.interrupts, nic.name, nic.pci).map((q) => {
      const aff = irqFiles.get(hostPaths.irqAffinityList(q.irq));
      return { ...q, affinity: aff === undefined ? null : cpuList('smp_affinity_list', aff.trim()) };
    }),
    vdpaVfs: false,
    sriov:
      total === undefined
        ? null
        : { totalVfs: parseUintFile('sriov_totalvfs', total), numVfs: parseUintFile('sriov_numvfs', file('sriov_numvfs') ?? '0'), vfs },
  };
}

/** Build HostFacts from the outputs of every step `nextDiscoverySteps` asked for. */
export function assembleFacts(out: DiscoveryOutputs): HostFacts {
  const r1 = round1(out);
  const files = sysfsFiles(out, r1);
  const nics = nicDevices(r1, files);
  const irqPaths = irqFilePaths(r1, nics);
  const irqFiles = irqPaths.length > 0 ? parseGrepFiles(required(out, IRQFILES, MULTI_READ_OK), irqPaths) : new Map<string, string>();

  const siblings = siblingsFromLscpu(r1.cpus);
  const numaNodes = r1.nodes.map((id) => nodeFacts(id, r1, files));
  const vfs = vfAddresses(out, nics);
  const vdpa = vdpaFacts(out);
  const mgmtdevs = new Set(vdpa.mgmtdevs);
  const nicFactList = nics.map((nic) => withVdpaVfs(nicFacts(nic, { out, r1, files, irqFiles, vfs }), mgmtdevs));

  const presence = parseExistingPaths(required(out, 'presence', [0, 1, 2]));
  const ovs = ovsBridges(out);
  const dpdk = ovs === null ? null : ovsDpdk(out, r1.cpus);
  const types = ovs === null ? new Map<string, OvsDatapathType>() : ovsBridgeTypes(out);
  const virt = parseCpuFlags(required(out, 'cpuflags'));
  const iommuOut = required(out, 'iommu', [0, 2]);
  return {
    cpus: r1.cpus.map((c) => ({ ...c, siblings: siblings.get(c.cpu) ?? [c.cpu] })),
    numaNodes,
    nics: nicFactList,
    bridges: [
      ...r1.linuxBridges.map((name) => ({ name, kind: 'LINUX' as const, datapathType: null })),
      ...(ovs ?? []).map((name) => ({ name, kind: 'OVS' as const, datapathType: types.get(name) ?? null })),
    ],
    foreignDomains: foreignDomains(out),
    pmdCpus: dpdk?.pmdCpus ?? [],
    vdpa,
    capabilities: {
      virtExtension: virt.virtExtension,
      secondLevelPaging: virt.secondLevelPaging,
      iommu: out['iommu'].exitCode === 0 && splitLines(iommuOut).some((l) => l.trim() !== ''),
      iommuOnCmdline: cmdlineEnablesIommu(required(out, 'cmdline')),
      kvm: presence.has(hostPaths.devKvm),
      vhostNet: presence.has(hostPaths.devVhostNet),
      vfio: presence.has(hostPaths.devVfio),
      ovs: ovs !== null,
      ovsDpdk: dpdk !== null,
      vhostVdpa: presence.has(hostPaths.vhostVdpaDriver),
      hugepageSizesKiB: [...new Set(numaNodes.flatMap((n) => n.hugepages.map((h) => h.sizeKiB)))].sort((a, b) => a - b),
    },
  };
}

const DUMPXML = 'dumpxml:';

/** Domains `virsh list --all --name` named; none when virsh is absent or libvirtd does not answer. */
function listedDomains(out: DiscoveryOutputs): string[] {
  const o = out['domains'];
  if (o === undefined || o.exitCode !== 0) return [];
  return parseVirshListNames(o.stdout).filter((n) => !n.startsWith('-'));
}

/**
 * Domains without netpin's ownership mark and the CPUs and PCI devices they hold. A domain
 * whose dumpxml failed (undefined since it was listed) is left out.
 */
function foreignDomains(out: DiscoveryOutputs): ForeignDomain[] {
  const found: ForeignDomain[] = [];
  for (const name of listedDomains(out)) {
    const o = out[`${DUMPXML}${name}`];
    if (o === undefined || o.exitCode !== 0) continue;
    const d = parseDomainHoldings(o.stdout);
    if (!d.ownedByNetpin) found.push({ name: d.name, cpus: d.cpus, pciDevices: d.pciDevices });
  }
  return found;
}

/** OVS bridge names, or null when ovs-vsctl is absent or fails (OVS not running). */
function ovsBridges(out: DiscoveryOutputs): IfName[] | null {
  const o = out['ovsBridges'];
  if (o === undefined || o.exitCode !== 0) return null;
  return splitLines(o.stdout)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const name = ifNameSchema.safeParse(l);
      if (!name.success) throw new HostOutputParseError('ovs-vsctl list-br', 'not a bridge name', l);
      return name.data;
    });
}

/**
 * OVS-DPDK and the CPUs its PMD threads run on: `pmd-cpu-mask`, or OVS's default when unset,
 * one PMD on the lowest-numbered CPU of each NUMA node. null when OVS did not initialise DPDK
 * (or is too old to have the dpdk_initialized column: the get then fails).
 */
function ovsDpdk(out: DiscoveryOutputs, cpus: readonly LscpuRow[]): { pmdCpus: number[] } | null {
  const init = out['ovsDpdk'];
  if (init === undefined || init.exitCode !== 0 || !parseOvsBoolean('dpdk_initialized', init.stdout)) return null;
  const known = new Set(cpus.map((c) => c.cpu));
  const mask = out['ovsPmdMask'];
  const fromMask = mask !== undefined && mask.exitCode === 0 ? parsePmdCpuMask(mask.stdout) : null;
  if (fromMask !== null) return { pmdCpus: fromMask.filter((c) => known.has(c)) };
  const firstPerNode = new Map<number, number>();
  for (const c of cpus) firstPerNode.set(c.node, Math.min(firstPerNode.get(c.node) ?? c.cpu, c.cpu));
  return { pmdCpus: [...firstPerNode.values()].sort((a, b) => a - b) };
}

/**
 * vdpa management and vdpa devices; none when `vdpa` failed (no vdpa netlink family: "Failed to
 * connect to vdpa Netlink", exit 1) or is not installed.
 */
function vdpaFacts(out: DiscoveryOutputs): HostFacts['vdpa'] {
  const ok = (k: string) => (out[k] !== undefined && out[k].exitCode === 0 ? out[k].stdout : '');
  const devices = parseVdpaDevices(ok('vdpaDevs'))
    .filter((d) => d.type === 'network')
    .map(({ name, mgmtdev }) => ({ name, mgmtdev }));
  return { mgmtdevs: parseVdpaMgmtdevs(ok('vdpaMgmtdevs')), devices };
}

/** A PF whose every VF is a vdpa management device (`pci/<VF address>`: mlx5_vdpa, ifcvf). */
function withVdpaVfs(nic: NicFacts, mgmtdevs: ReadonlySet<string>): NicFacts {
  const vfs = nic.sriov?.vfs ?? [];
  const all = vfs.length > 0 && vfs.every((v) => v.pciAddress !== null && mgmtdevs.has(`pci/${v.pciAddress}`));
  return { ...nic, vdpaVfs: all };
}

/** Each OVS bridge's datapath type; empty when the listing failed (the bridges are then of unknown type). */
function ovsBridgeTypes(out: DiscoveryOutputs): Map<string, OvsDatapathType> {
  const o = out['ovsBridgeTypes'];
  if (o === undefined || o.exitCode !== 0) return new Map();
  return new Map(parseOvsBridgeDatapaths(o.stdout).map((b) => [b.name, b.datapathType]));
}

function nodeFacts(id: number, r1: Round1, files: Map<string, string>): NumaNodeFacts {
  const cpulist = files.get(hostPaths.nodeCpulist(id));
  const meminfo = files.get(hostPaths.nodeMeminfo(id));
  const mem = meminfo === undefined ? { memTotalKiB: 0, memFreeKiB: 0 } : parseNodeMeminfo(meminfo);
  const hugepages: NumaNodeFacts['hugepages'] = [];
  for (const sizeKiB of HUGEPAGE_SIZES_KIB) {
    const nr = files.get(hostPaths.nodeHugepages(id, sizeKiB, 'nr_hugepages'));
    const free = files.get(hostPaths.nodeHugepages(id, sizeKiB, 'free_hugepages'));
    if (nr === undefined || free === undefined) continue;
    hugepages.push({ sizeKiB, total: parseUintFile('nr_hugepages', nr), free: parseUintFile('free_hugepages', free) });
  }
  return {
    id,
    cpus: cpulist === undefined ? r1.cpus.filter((c) => c.node === id).map((c) => c.cpu) : cpuList('node cpulist', cpulist.trim()),
    memTotalKiB: mem.memTotalKiB,
    memFreeKiB: mem.memFreeKiB,
    hugepages,
  };
}

/** Vendor and device id from sysfs, else from uevent PCI_ID ("8086:1572"), else null. */
function pciIds(
  nic: NicDevice,
  vendor: string | undefined,
  device: string | undefined,
): { vendorId: string | null; deviceId: string | null } {
  const fromUevent = nic.pciId !== null && /^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$/.test(nic.pciId) ? nic.pciId.toLowerCase().split(':') : null;
  return {
    vendorId: vendor !== undefined ? parsePciIdFile('vendor', vendor) : (fromUevent?.[0] ?? null),
    deviceId: device !== undefined ? parsePciIdFile('device', device) : (fromUevent?.[1] ?? null),
  };
}

function macOf(nic: NicDevice): NonNullable<IpLink['mac']> {
  if (nic.link.mac === null) throw new HostOutputParseError('ip -d link show', `no MAC address for ${nic.name}`);
  return nic.link.mac;
}
