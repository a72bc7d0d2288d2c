import { formatCpuList } from '@netpin/contracts';
import { KernelError } from './errors';
import type { HostSpec, NicSpec } from './spec';
import type { XmlElement } from './xml-tree';

export interface CpuTopo {
  id: number;
  socket: number;
  /** Core id within its socket, as topology/core_id shows it. */
  core: number;
  /** Core index across the host, as lscpu's CORE column shows it. */
  coreIndex: number;
  thread: number;
  node: number;
}

export type VfLinkState = 'auto' | 'enable' | 'disable';

export interface VfState {
  index: number;
  pci: string;
  mac: string;
  vlan: number;
  qos: number;
  /** The VLAN tag's ethertype as iproute2 names it; every `vlan` sets it (802.1Q unless `proto` says otherwise). */
  vlanProto: '802.1Q' | '802.1ad';
  spoofchk: boolean;
  trust: boolean;
  linkState: VfLinkState;
  maxTxRate: number;
  minTxRate: number;
}

export interface NicState {
  spec: NicSpec;
  ifindex: number;
  numVfs: number;
  vfs: VfState[];
  combined: number;
  /** The MTU now (`ip link set dev X mtu N` changes it). */
  mtu: number;
  /** CPUs per rx queue for RPS (empty = off). */
  rps: number[][];
}

export interface IrqState {
  irq: number;
  name: string;
  chip: string;
  hwirq: string;
  affinity: number[];
  /** Interrupt count per CPU seed: counts grow deterministically with commands run. */
  weight: number;
}

export interface HugePool {
  nr: number;
  /** Pages held by running domains. */
  used: number;
}

export interface DomainRecord {
  name: string;
  uuid: string;
  /** The persistent (inactive) definition, after libvirt's define-time additions. */
  config: XmlElement;
  /** Present while running: the live XML with runtime additions. */
  live?: XmlElement;
  id?: number;
  persistent: boolean;
  /** Host resources held while running. */
  held: { pci: string[]; hugepages: { node: number; sizeKiB: number; pages: number }[] };
  /** Why it is in its state, as `virsh domstate --reason` prints it (booted, shutdown, destroyed). */
  reason?: string;
  /** Reboots the guest has made since the domain started (ACPI reboot requests it honoured). */
  guestReboots?: number;
  /** Set while an outgoing `virsh migrate` copies it. */
  migrating?: MigrationJob;
  /**
   * PCIe root ports still free for a live hot-plug. libvirt 9.0 defines a q35 domain with the
   * root ports its devices need plus one spare, so one device can be plugged per boot until
   * the guest releases one (measured on the real-host tier, differential/hotplug.spec.ts).
   */
  freeHotplugSlots?: number;
}

/**
 * How the guest OS inside every domain of this host answers ACPI requests. A real guest
 * with an OS powers off some time after `virsh shutdown`; one without ACPI handling (or
 * without an OS at all, like the real-host tier's diskless guests) ignores it and keeps
 * running until `virsh destroy`.
 */
export interface GuestBehaviour {
  acpi: 'honour' | 'ignore';
  /** How long an honouring guest takes to power off or reboot. */
  shutdownDelayMs: number;
}

/** Where an injected `virsh migrate` failure strikes (libvirt's migration phases, as virsh reports them). */
export const MIGRATION_PHASES = ['connect', 'prepare', 'transfer', 'finish'] as const;
export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

/**
 * How `virsh migrate` from this host behaves: the copy takes memory / bandwidthMiBps (at least
 * minMs), and `faults` make the next migrations fail at a phase (each fires `times` times, once
 * when absent). An outgoing migration in flight is visible to `virsh domjobinfo`.
 */
export interface MigrationBehaviour {
  bandwidthMiBps: number;
  minMs: number;
  faults: { phase: MigrationPhase; times?: number }[];
}

/**
 * An outgoing migration in flight (virsh domjobinfo): from the target's prepare on, with no
 * data until the copy starts (copyStartedAt), as real libvirt shows it.
 */
export interface MigrationJob {
  startedAt: number;
  copyStartedAt?: number;
  totalMs: number;
  totalBytes: number;
  /** Set by `virsh domjobabort`: the copy stops and the migration fails. */
  aborted?: boolean;
}

/** A tap or macvtap device libvirt created for a running domain. */
export interface TapDevice {
  name: string;
  kind: 'tap' | 'macvtap';
  /** Linux or OVS bridge the tap is plugged into. */
  master?: string;
  /** Lower device of a macvtap. */
  lower?: string;
  mode?: string;
  mac: string;
  /** A tap's is the interface's <mtu size> (else 1500); a macvtap's its lower device's at creation. */
  mtu: number;
  domain: string;
  /** A tap opened for a multi-queue virtio NIC (driver queues > 1): IFF_MULTI_QUEUE, 256 queues. */
  multiQueue?: boolean;
}

export const SIZE_2M_KIB = 2048;
export const SIZE_1G_KIB = 1048576;

/** A vdpa device: its management device, creation attributes and vhost-vdpa minor (null = not bound to vhost_vdpa). */
export interface VdpaDeviceState {
  name: string;
  mgmtdev: string;
  mac: string | null;
  maxVqp: number | null;
  mtu: number | null;
  minor: number | null;
}

/** A port added with `ovs-vsctl add-port`, with its one interface's columns. */
export interface OvsPort {
  name: string;
  bridge: string;
  tag: number | null;
  /** Port trunks (kept ascending, as OVS prints a set) and vlan_mode (null = unset). */
  trunks: number[];
  vlanMode: string | null;
  /** Interface mtu_request (null = unset). */
  mtuRequest: number | null;
  type: string;
  /** ingress_policing_rate / _burst, kbit/s (0 = none). */
  policingRate: number;
  policingBurst: number;
  options: Record<string, string>;
  externalIds: Record<string, string>;
}

/** All mutable state of one simulated hypervisor. */
export class HostModel {
  readonly cpus: CpuTopo[];
  readonly nodeCpus: number[][];
  nics: NicState[] = [];
  irqs: IrqState[] = [];
  hugepages: { p2M: HugePool; p1G: HugePool }[] = [];
  irqbalanceActive = true;
  domains = new Map<string, DomainRecord>();
  taps: TapDevice[] = [];
  /** OVS ports created with ovs-vsctl (OVSDB is on disk: they survive a reboot). */
  ovsPorts: OvsPort[] = [];
  /** vdpa devices made with `vdpa dev add` (gone at reboot, as the kernel's are). */
  vdpaDevices: VdpaDeviceState[] = [];
  /** Scratch files written by clients outside /sys, /proc and /dev (e.g. /tmp/dom.xml). */
  files = new Map<string, string>();
  /** Folders made with mkdir outside the kernel filesystems. */
  dirs = new Set<string>(['/var', '/var/lib', '/tmp', '/run']);
  guest: GuestBehaviour = { acpi: 'honour', shutdownDelayMs: 100 };
  migration: MigrationBehaviour = { bandwidthMiBps: 10240, minMs: 50, faults: [] };
  nextDomainId = 1;
  nextVnet = 0;
  nextMacvtap = 0;
  bootCount = 0;
  commandCount = 0;

  constructor(readonly spec: HostSpec) {
    const { sockets, coresPerSocket, threadsPerCore } = spec.cpu;
    const nodes = spec.numaNodes.length;
    const cores = sockets * coresPerSocket;
    this.cpus = [];
    for (let t = 0; t < threadsPerCore; t++) {
      for (let s = 0; s < sockets; s++) {
        for (let c = 0; c < coresPerSocket; c++) {
          const coreIndex = s * coresPerSocket + c;
          // Nodes split sockets evenly (sub-NUMA clustering) or group whole sockets.
          const node = nodes >= sockets ? Math.floor((coreIndex * nodes) / cores) : Math.floor((s * nodes) / sockets);
          this.cpus.push({ id: t * cores + coreIndex, socket: s, core: c, coreIndex, thread: t, node });
        }
      }
    }
    this.nodeCpus = spec.numaNodes.map((_, n) =>
      this.cpus
        .filter((c) => c.node === n)
        .map((c) => c.id)
        .sort((a, b) => a - b),
    );
    this.boot();
  }

  get nrCpus(): number {
    return this.cpus.length;
  }

  allCpus(): number[] {
    return this.cpus.map((c) => c.id).sort((a, b) => a - b);
  }

  hasCpu(id: number): boolean {
    return id >= 0 && id < this.cpus.length;
  }

  /** Everything that does not survive a reboot goes back to its boot value. */
  boot(): void {
    this.bootCount++;
    this.nics = this.spec.nics.map((spec, i) => ({
      spec,
      ifindex: i + 2,
      numVfs: 0,
      vfs: [],
      combined: spec.combined,
      mtu: spec.mtu,
      rps: [],
    }));
    this.hugepages = this.spec.numaNodes.map((n) => ({ p2M: { nr: n.hugepages2M.nr, used: 0 }, p1G: { nr: n.hugepages1G.nr, used: 0 } }));
    this.irqbalanceActive = this.spec.irqbalance;
    const all = this.allCpus();
    const sys: [number, string, string, string][] = [
      [0, 'IO-APIC', '2-edge', 'timer'],
      [1, 'IO-APIC', '1-edge', 'i8042'],
      [8, 'IO-APIC', '8-edge', 'rtc0'],
      [9, 'IO-APIC', '9-fasteoi', 'acpi'],
      [16, 'IO-APIC', '16-fasteoi', 'ehci_hcd:usb1'],
    ];
    this.irqs = sys.map(([irq, chip, hwirq, name]) => ({ irq, chip, hwirq, name, affinity: irq === 0 ? [0] : all, weight: irq + 3 }));
    for (const nic of this.spec.nics) {
      irqNamesFor(nic).forEach((name, q) => {
        this.irqs.push({
          irq: nic.irqBase + q,
          chip: `IR-PCI-MSIX-${nic.pciAddress}`,
          hwirq: `${q + 1}-edge`,
          name,
          affinity: all,
          weight: q + 1,
        });
      });
    }
    this.irqs.sort((a, b) => a.irq - b.irq);
    for (const d of [...this.domains.values()]) {
      d.live = undefined;
      d.id = undefined;
      d.held = { pci: [], hugepages: [] };
      if (!d.persistent) this.domains.delete(d.name);
    }
    this.taps = [];
    // /var is on disk and survives a reboot; /tmp and /run do not.
    for (const f of [...this.files.keys()]) if (!f.startsWith('/var/')) this.files.delete(f);
    for (const d of [...this.dirs]) if (!d.startsWith('/var')) this.dirs.delete(d);
    this.dirs.add('/tmp').add('/run');
    this.nextDomainId = 1;
    this.nextVnet = 0;
    this.nextMacvtap = 0;
  }

  nic(name: string): NicState | undefined {
    return this.nics.find((n) => n.spec.name === name);
  }

  irq(n: number): IrqState | undefined {
    return this.irqs.find((i) => i.irq === n);
  }

  bridge(name: string): HostSpec['bridges'][number] | undefined {
    return this.spec.bridges.find((b) => b.name === name);
  }

  /** vdpa management devices: `pci/<VF>` of every configured VF of the spec's vdpa PFs. */
  vdpaMgmtdevs(): string[] {
    const pfs = new Set(this.spec.vdpa?.pfs ?? []);
    return this.nics.filter((n) => pfs.has(n.spec.name)).flatMap((n) => n.vfs.map((v) => `pci/${v.pci}`));
  }

  /** PCI address of VF `index` from the PF's SR-IOV offset and stride. */
  vfPci(nic: NicSpec, index: number): string {
    const [dom, bus, devfn] = nic.pciAddress.split(':');
    const [dev, fn] = devfn.split('.');
    const rid = (parseInt(bus, 16) << 8) | (parseInt(dev, 16) << 3) | parseInt(fn, 16);
    const vfRid = rid + nic.vfOffset + index * nic.vfStride;
    const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
    return `${dom}:${h((vfRid >> 8) & 0xff, 2)}:${h((vfRid >> 3) & 0x1f, 2)}.${vfRid & 7}`;
  }

  /** The PF or VF at a PCI address, if the host has it. */
  pciDevice(addr: string): { nic: NicState; vf?: VfState } | undefined {
    const a = addr.toLowerCase();
    for (const nic of this.nics) {
      if (nic.spec.pciAddress === a) return { nic };
      const vf = nic.vfs.find((v) => v.pci === a);
      if (vf) return { nic, vf };
    }
    return undefined;
  }

  /** sriov_numvfs store, with the checks and errno order of drivers/pci/iov.c. */
  writeNumVfs(nic: NicState, text: string): void {
    const t = text.trim();
    if (!/^\d+$/.test(t) || Number(t) > 65535) throw new KernelError('EINVAL');
    const n = Number(t);
    if (n > nic.spec.sriovTotalVfs) throw new KernelError('ERANGE');
    if (n === nic.numVfs) return;
    if (n === 0) {
      nic.numVfs = 0;
      nic.vfs = [];
      return;
    }
    if (nic.numVfs !== 0) throw new KernelError('EBUSY');
    nic.numVfs = n;
    nic.vfs = Array.from({ length: n }, (_, index) => ({
      index,
      pci: this.vfPci(nic.spec, index),
      mac: '00:00:00:00:00:00',
      vlan: 0,
      qos: 0,
      vlanProto: '802.1Q',
      spoofchk: true,
      trust: false,
      linkState: 'auto' as const,
      maxTxRate: 0,
      minTxRate: 0,
    }));
  }

  /** Cpus of a list/mask write: every CPU must exist and at least one be given. */
  checkCpus(cpus: number[]): void {
    if (cpus.length === 0 || cpus.some((c) => !this.hasCpu(c))) throw new KernelError('EINVAL');
  }

  hugePool(node: number, sizeKiB: number): HugePool | undefined {
    const n = this.hugepages[node];
    if (!n) return undefined;
    return sizeKiB === SIZE_1G_KIB ? n.p1G : sizeKiB === SIZE_2M_KIB ? n.p2M : undefined;
  }

  /** nr_hugepages store: like the kernel, a short allocation is silent, never an error. */
  writeNrHugepages(node: number, sizeKiB: number, text: string): void {
    const t = text.trim();
    if (!/^\d+$/.test(t)) throw new KernelError('EINVAL');
    const pool = this.hugePool(node, sizeKiB);
    if (!pool) throw new KernelError('EINVAL');
    const n = this.hugepages[node];
    const other = sizeKiB === SIZE_1G_KIB ? n.p2M.nr * SIZE_2M_KIB : n.p1G.nr * SIZE_1G_KIB;
    // Keep 2 GiB of each node for the kernel and ordinary allocations.
    const availKiB = (this.spec.numaNodes[node].memoryMiB - 2048) * 1024 - other;
    const max = Math.max(0, Math.floor(availKiB / sizeKiB));
    pool.nr = Math.max(pool.used, Math.min(Number(t), max));
  }

  cpuListText(cpus: number[]): string {
    return formatCpuList(cpus);
  }

  /** What irqbalance does behind the operator's back: move every IRQ to one CPU. */
  irqbalanceTick(rand: () => number): void {
    const nodeOf = (irq: IrqState): number[] => {
      const nic = this.spec.nics.find((n) => irq.chip.endsWith(n.pciAddress));
      return nic && nic.numaNode >= 0 ? this.nodeCpus[nic.numaNode] : this.allCpus();
    };
    for (const irq of this.irqs) {
      if (irq.irq === 0) continue;
      const pool = nodeOf(irq);
      irq.affinity = [pool[Math.floor(rand() * pool.length)]];
    }
  }
}

/** MSI-X vector names as each driver family registers them. */
export function irqNamesFor(nic: NicSpec): string[] {
  const queues = Array.from({ length: nic.maxCombined }, (_, q) => q);
  switch (nic.irqNameStyle) {
    case 'intel':
      return queues.map((q) => `${nic.name}-TxRx-${q}`);
    case 'mlx5':
      return queues.map((q) => `mlx5_comp${q}@pci:${nic.pciAddress}`);
    case 'generic':
      return queues.map((q) => `${nic.name}-${q}`);
    case 'e1000e':
      // One rx and one tx vector per queue plus the link/other vector named after the device.
      return [...queues.flatMap((q) => [`${nic.name}-rx-${q}`, `${nic.name}-tx-${q}`]), nic.name];
  }
}
