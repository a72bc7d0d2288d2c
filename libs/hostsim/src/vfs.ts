import { formatCpuList, formatCpuMask, parseCpuList, parseCpuMask } from '@netpin/contracts';
import { KernelError } from './errors';
import { type HostModel, type NicState, SIZE_1G_KIB, SIZE_2M_KIB } from './model';
import { renderCpuinfo, renderInterrupts, renderMeminfo, renderNodeMeminfo } from './procfs';

/**
 * The simulated /sys, /proc and /dev, built from the model. Reads always reflect current state
 * (each file's read and write go straight to the model), so one tree serves every command
 * until the model's shape (what exists, not what it holds) changes: see `fsOf`.
 */
export type FsNode =
  | { kind: 'file'; read: () => string; write?: (data: string) => void }
  | { kind: 'dir' }
  | { kind: 'link'; target: string; canonical: string }
  | { kind: 'chardev' };

export class VirtualFs {
  private readonly nodes = new Map<string, FsNode>();

  constructor(private readonly model: HostModel) {
    build(this, model);
  }

  add(path: string, node: FsNode): void {
    this.nodes.set(path, node);
    for (let p = parentOf(path); p !== '' && !this.nodes.has(p); p = parentOf(p)) this.nodes.set(p, { kind: 'dir' });
  }

  file(path: string, read: () => string, write?: (data: string) => void): void {
    this.add(path, { kind: 'file', read, write });
  }

  link(path: string, target: string, canonical: string): void {
    this.add(path, { kind: 'link', target, canonical });
  }

  /** Lexically normalised absolute path ("a//b/./c/" → "/a/b/c"), or undefined if relative. */
  static normalize(path: string): string | undefined {
    if (!path.startsWith('/')) return undefined;
    const out: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return `/${out.join('/')}`;
  }

  /** Every path the tree has (not the scratch files and folders, which live in the model): for tests. */
  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  get(path: string): FsNode | undefined {
    const p = VirtualFs.normalize(path);
    return p === undefined ? undefined : this.at(p);
  }

  /** The node at a path already normalised (`normalize`'s form). */
  private at(p: string): FsNode | undefined {
    if (p === '/') return { kind: 'dir' };
    const n = this.nodes.get(p);
    if (n) return n;
    if (this.model.dirs.has(p)) return { kind: 'dir' };
    const scratch = this.model.files.get(p);
    if (scratch !== undefined) {
      return { kind: 'file', read: () => this.model.files.get(p) ?? '', write: (d) => this.model.files.set(p, d) };
    }
    return undefined;
  }

  /**
   * Walk a path component by component, following links on the way (and the last one
   * too when `followLast`), as path resolution in the kernel does: the path is normalised
   * once and each step appends one component (it re-normalised every prefix, quadratic in
   * the path's depth, the simulator's largest CPU item in a discovery profile).
   */
  lookup(path: string, followLast = true): { path: string; node: FsNode } | undefined {
    const p = VirtualFs.normalize(path);
    if (p === undefined) return undefined;
    const parts = p === '/' ? [] : p.slice(1).split('/');
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      cur = cur === '/' ? `/${parts[i]}` : `${cur}/${parts[i]}`;
      const n = this.at(cur);
      if (!n) return undefined;
      if (i < parts.length - 1 && n.kind !== 'dir' && n.kind !== 'link') return undefined;
      if (n.kind === 'link' && (i < parts.length - 1 || followLast)) cur = VirtualFs.normalize(n.canonical) ?? '/';
    }
    const node = this.at(cur);
    return node ? { path: cur, node } : undefined;
  }

  list(dir: string): string[] {
    const found = this.lookup(dir);
    if (!found) return [];
    const prefix = found.path === '/' ? '/' : `${found.path}/`;
    const names = new Set<string>();
    for (const k of [...this.nodes.keys(), ...this.model.files.keys(), ...this.model.dirs]) {
      if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]);
    }
    return [...names].sort();
  }

  /** Write to a path; new files may only be created outside the kernel filesystems. */
  write(path: string, data: string, append: boolean): void {
    const p = VirtualFs.normalize(path);
    if (p === undefined) throw new KernelError('ENOENT');
    const found = this.lookup(p);
    if (found === undefined) {
      if (p.startsWith('/sys/') || p.startsWith('/proc/') || p.startsWith('/dev/'))
        throw new KernelError(p.startsWith('/dev/') ? 'EACCES' : 'ENOENT');
      if (this.lookup(parentOf(p))?.node.kind !== 'dir') throw new KernelError('ENOENT');
      this.model.files.set(p, data);
      return;
    }
    const node = found.node;
    switch (node.kind) {
      case 'dir':
        throw new KernelError('EISDIR');
      case 'chardev':
        return;
      case 'link':
        throw new KernelError('ENOENT');
      case 'file':
        if (!node.write) throw new KernelError('EACCES');
        node.write(append && this.model.files.has(found.path) ? node.read() + data : data);
    }
  }
}

/**
 * Everything `build` makes paths from that can change while a host runs: a boot replaces the
 * NICs and IRQs (whose objects the files' read/write closures hold), sriov_numvfs the VFs,
 * `ethtool -L` the queues, `vdpa dev add/del` the vdpa devices. The rest (CPUs, nodes, bridges,
 * hugepage sizes, devices) comes from the host's spec, which does not change. A new input of
 * `build` that can change must be added here (vfs.spec.ts compares with a fresh tree).
 */
function shapeKey(m: HostModel): string {
  const nics = m.nics.map((n) => `${n.combined}/${n.vfs.length}`).join(',');
  const vdpa = m.vdpaDevices.map((d) => `${d.name}/${d.minor}`).join(',');
  return `${m.bootCount};${m.irqs.length};${nics};${vdpa}`;
}

const trees = new WeakMap<HostModel, { key: string; fs: VirtualFs }>();

/**
 * The host's file system tree, built again only when its shape changed since the last command
 * (building it is most of a command's cost: ~1,500 nodes on a dual-socket SR-IOV host).
 */
export function fsOf(model: HostModel): VirtualFs {
  const key = shapeKey(model);
  const cached = trees.get(model);
  if (cached?.key === key) return cached.fs;
  const fs = new VirtualFs(model);
  trees.set(model, { key, fs });
  return fs;
}

/** Paths the kernel owns: nothing is created or removed there by mkdir, rm or a write. */
export function isKernelPath(p: string): boolean {
  return p.startsWith('/sys/') || p.startsWith('/proc/') || p.startsWith('/dev/');
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '' : path.slice(0, i);
}

/**
 * A CPU mask write (rps_cpus, smp_affinity). The kernel parses it into a bitmap of
 * nr_cpu_ids bits: a bit beyond is EOVERFLOW (bitmap_parse), an empty or offline-only mask
 * EINVAL (rps_cpus accepts empty: RPS off).
 */
function cpuMaskWrite(model: HostModel, data: string, allowEmpty: boolean): number[] {
  let cpus: number[];
  try {
    cpus = parseCpuMask(data);
  } catch {
    throw new KernelError('EINVAL');
  }
  if (cpus.some((c) => c >= model.nrCpus)) throw new KernelError('EOVERFLOW');
  if (cpus.length === 0 && allowEmpty) return [];
  model.checkCpus(cpus);
  return cpus;
}

/** smp_affinity_list: bitmap_parselist answers ERANGE for a CPU beyond nr_cpu_ids, EINVAL for bad syntax. */
function cpuListWrite(model: HostModel, data: string): number[] {
  let cpus: number[];
  try {
    cpus = parseCpuList(data);
  } catch {
    throw new KernelError('EINVAL');
  }
  if (cpus.some((c) => c >= model.nrCpus)) throw new KernelError('ERANGE');
  model.checkCpus(cpus);
  return cpus;
}

function pciDeviceDir(nic: NicState): string {
  const [dom, bus] = nic.spec.pciAddress.split(':');
  const root = (parseInt(bus, 16) - 1).toString(16).padStart(2, '0');
  return `/sys/devices/pci${dom}:${root}/${dom}:${root}:00.0`;
}

function build(fs: VirtualFs, m: HostModel): void {
  buildProc(fs, m);
  buildCpus(fs, m);
  buildNodes(fs, m);
  buildNet(fs, m);
  buildDevices(fs, m);
}

/** /proc: command line, cpuinfo, interrupts and their affinities, meminfo, hostname, version. */
function buildProc(fs: VirtualFs, m: HostModel): void {
  const s = m.spec;
  const nr = m.nrCpus;
  const all = m.allCpus();
  for (const dir of ['/tmp', '/root', '/etc/libvirt/qemu']) fs.add(dir, { kind: 'dir' });
  fs.file('/proc/cmdline', () => `${s.kernelCmdline}\n`);
  fs.file('/proc/cpuinfo', () => renderCpuinfo(m));
  fs.file('/proc/interrupts', () => renderInterrupts(m));
  fs.file('/proc/meminfo', () => renderMeminfo(m));
  fs.file('/proc/sys/kernel/hostname', () => `${s.hostname}\n`);
  fs.file('/etc/hostname', () => `${s.hostname}\n`);
  fs.file(
    '/proc/version',
    () =>
      `Linux version ${s.kernelRelease} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian\n`,
  );
  for (const irq of m.irqs) {
    const d = `/proc/irq/${irq.irq}`;
    fs.file(
      `${d}/smp_affinity`,
      () => `${formatCpuMask(irq.affinity, nr)}\n`,
      (v) => (irq.affinity = cpuMaskWrite(m, v, false)),
    );
    fs.file(
      `${d}/smp_affinity_list`,
      () => `${formatCpuList(irq.affinity)}\n`,
      (v) => (irq.affinity = cpuListWrite(m, v)),
    );
    fs.file(`${d}/effective_affinity_list`, () => `${irq.affinity[0] ?? 0}\n`);
    const nic = m.nics.find((n) => irq.chip.endsWith(n.spec.pciAddress));
    fs.file(`${d}/node`, () => `${nic ? Math.max(0, nic.spec.numaNode) : 0}\n`);
  }
  fs.file('/proc/irq/default_smp_affinity', () => `${formatCpuMask(all, nr)}\n`);
}

/** /sys/devices/system/cpu: online CPUs and each CPU's topology. */
function buildCpus(fs: VirtualFs, m: HostModel): void {
  const nr = m.nrCpus;
  const all = m.allCpus();
  const cpuRoot = '/sys/devices/system/cpu';
  for (const f of ['online', 'possible', 'present']) fs.file(`${cpuRoot}/${f}`, () => `${formatCpuList(all)}\n`);
  for (const c of m.cpus) {
    const sib = m.cpus.filter((o) => o.socket === c.socket && o.core === c.core).map((o) => o.id);
    const pkg = m.cpus.filter((o) => o.socket === c.socket).map((o) => o.id);
    const t = `${cpuRoot}/cpu${c.id}/topology`;
    fs.file(`${t}/core_id`, () => `${c.core}\n`);
    fs.file(`${t}/physical_package_id`, () => `${c.socket}\n`);
    fs.file(`${t}/die_id`, () => '0\n');
    fs.file(`${t}/thread_siblings_list`, () => `${formatCpuList(sib)}\n`);
    fs.file(`${t}/thread_siblings`, () => `${formatCpuMask(sib, nr)}\n`);
    fs.file(`${t}/core_siblings_list`, () => `${formatCpuList(pkg)}\n`);
    if (c.id !== 0) fs.file(`${cpuRoot}/cpu${c.id}/online`, () => '1\n');
    fs.link(`${cpuRoot}/cpu${c.id}/node${c.node}`, `../../node/node${c.node}`, `/sys/devices/system/node/node${c.node}`);
  }
}

/** /sys/devices/system/node and the hugepage pools, per node and in total. */
/**
 * The huge page sizes the kernel offers: 2 MiB always on x86-64, 1 GiB only when the CPU has
 * gigantic pages (`pdpe1gb`; without it the kernel creates no hugepages-1048576kB folder).
 */
function hugepageSizes(m: HostModel): number[] {
  return m.spec.cpu.flags.includes('pdpe1gb') ? [SIZE_2M_KIB, SIZE_1G_KIB] : [SIZE_2M_KIB];
}

function buildNodes(fs: VirtualFs, m: HostModel): void {
  const nr = m.nrCpus;
  const nodeRoot = '/sys/devices/system/node';
  const nodeIds = m.spec.numaNodes.map((_, i) => i);
  const sizes = hugepageSizes(m);
  for (const f of ['online', 'possible', 'has_cpu', 'has_memory', 'has_normal_memory'])
    fs.file(`${nodeRoot}/${f}`, () => `${formatCpuList(nodeIds)}\n`);
  for (const n of nodeIds) {
    const d = `${nodeRoot}/node${n}`;
    fs.file(`${d}/cpulist`, () => `${formatCpuList(m.nodeCpus[n])}\n`);
    fs.file(`${d}/cpumap`, () => `${formatCpuMask(m.nodeCpus[n], nr)}\n`);
    fs.file(`${d}/meminfo`, () => renderNodeMeminfo(m, n));
    fs.file(`${d}/distance`, () => `${nodeIds.map((o) => (o === n ? 10 : 21)).join(' ')}\n`);
    for (const size of sizes) {
      const h = `${d}/hugepages/hugepages-${size}kB`;
      const pool = (): { nr: number; used: number } => m.hugePool(n, size) ?? { nr: 0, used: 0 };
      fs.file(
        `${h}/nr_hugepages`,
        () => `${pool().nr}\n`,
        (v) => m.writeNrHugepages(n, size, v),
      );
      fs.file(`${h}/free_hugepages`, () => `${pool().nr - pool().used}\n`);
      fs.file(`${h}/surplus_hugepages`, () => '0\n');
    }
  }
  for (const size of sizes) {
    const h = `/sys/kernel/mm/hugepages/hugepages-${size}kB`;
    const sum = (f: (p: { nr: number; used: number }) => number): number =>
      nodeIds.reduce((a, n) => a + f(m.hugePool(n, size) ?? { nr: 0, used: 0 }), 0);
    fs.file(`${h}/nr_hugepages`, () => `${sum((p) => p.nr)}\n`);
    fs.file(`${h}/free_hugepages`, () => `${sum((p) => p.nr - p.used)}\n`);
  }
}

/** /sys/class/net: loopback, the NICs, the bridges and their ports. */
function buildNet(fs: VirtualFs, m: HostModel): void {
  const s = m.spec;
  fs.file('/sys/class/net/lo/address', () => '00:00:00:00:00:00\n');
  fs.file('/sys/class/net/lo/operstate', () => 'unknown\n');
  for (const nic of m.nics) buildNic(fs, m, nic);
  for (const b of s.bridges) {
    const d = `/sys/class/net/${b.name}`;
    fs.file(`${d}/operstate`, () => 'up\n');
    fs.file(`${d}/mtu`, () => '1500\n');
    if (b.kind === 'linux') {
      fs.file(`${d}/bridge/stp_state`, () => '0\n');
      for (const p of b.ports) {
        fs.add(`/sys/class/net/${p}/brport`, { kind: 'dir' });
        fs.link(`${d}/brif/${p}`, `../../${p}/brport`, `/sys/class/net/${p}/brport`);
      }
    }
  }
  if (s.ovs) fs.file('/sys/class/net/ovs-system/operstate', () => 'down\n');
}

/** IOMMU units, device nodes (/dev/kvm, vhost-net, vfio) and the binaries commands look for. */
function buildDevices(fs: VirtualFs, m: HostModel): void {
  const s = m.spec;
  if (s.iommu) {
    const units = Math.max(1, s.cpu.sockets);
    for (let i = 0; i < units; i++) fs.add(`/sys/class/iommu/dmar${i}`, { kind: 'dir' });
  } else fs.add('/sys/class/iommu', { kind: 'dir' });
  fs.add('/sys/kernel/iommu_groups', { kind: 'dir' });
  for (const dev of ['/dev/null', '/dev/stdin', '/dev/zero']) fs.add(dev, { kind: 'chardev' });
  if (s.kvm) fs.add('/dev/kvm', { kind: 'chardev' });
  if (s.vhostNet) fs.add('/dev/vhost-net', { kind: 'chardev' });
  if (s.iommu) fs.add('/dev/vfio/vfio', { kind: 'chardev' });
  if (s.ovs) {
    fs.file('/usr/bin/ovs-vsctl', () => '');
    fs.add('/run/openvswitch/db.sock', { kind: 'chardev' });
  }
  for (const bin of ['cat', 'grep', 'ls', 'readlink', 'tee', 'ip', 'ethtool', 'lscpu', 'virsh', 'vdpa'])
    fs.file(`/usr/bin/${bin}`, () => '');
  if (s.vdpa) buildVdpa(fs, m);
}

/** /sys/bus/vdpa: the drivers, each device with its driver link and, under vhost_vdpa, vhost-vdpa-N; /dev/vhost-vdpa-N. */
function buildVdpa(fs: VirtualFs, m: HostModel): void {
  const bus = '/sys/bus/vdpa';
  fs.add(`${bus}/devices`, { kind: 'dir' });
  if (m.spec.vdpa?.vhostVdpa) fs.add(`${bus}/drivers/vhost_vdpa`, { kind: 'dir' });
  for (const d of m.vdpaDevices) {
    const dir = `/sys/devices/vdpa/${d.name}`;
    fs.link(`${bus}/devices/${d.name}`, `../../../devices/vdpa/${d.name}`, dir);
    fs.file(`${dir}/uevent`, () => `MODALIAS=vdpa:v00000000d00000001\n`);
    if (d.minor === null) continue;
    fs.link(`${dir}/driver`, '../../../bus/vdpa/drivers/vhost_vdpa', `${bus}/drivers/vhost_vdpa`);
    fs.add(`${dir}/vhost-vdpa-${d.minor}`, { kind: 'dir' });
    fs.add(`/dev/vhost-vdpa-${d.minor}`, { kind: 'chardev' });
  }
}

function buildNic(fs: VirtualFs, m: HostModel, nic: NicState): void {
  const sp = nic.spec;
  const nr = m.nrCpus;
  const d = `/sys/class/net/${sp.name}`;
  const pciDir = `${pciDeviceDir(nic)}/${sp.pciAddress}`;
  fs.file(`${d}/address`, () => `${sp.mac}\n`);
  fs.file(`${d}/mtu`, () => `${nic.mtu}\n`);
  fs.file(`${d}/operstate`, () => 'up\n');
  fs.file(`${d}/speed`, () => `${sp.speedMbps}\n`);
  fs.file(`${d}/ifindex`, () => `${nic.ifindex}\n`);
  fs.link(`${d}/device`, `../../../${sp.pciAddress}`, pciDir);
  for (let q = 0; q < nic.combined; q++) {
    fs.file(
      `${d}/queues/rx-${q}/rps_cpus`,
      () => `${formatCpuMask(nic.rps[q] ?? [], nr)}\n`,
      (v) => (nic.rps[q] = cpuMaskWrite(m, v, true)),
    );
    fs.file(`${d}/queues/tx-${q}/xps_cpus`, () => `${formatCpuMask([], nr)}\n`);
  }
  const pfFiles = (dir: string): void => {
    fs.file(`${dir}/numa_node`, () => `${sp.numaNode}\n`);
    fs.file(`${dir}/uevent`, () => uevent(sp.driver, sp.pciId, sp.pciAddress));
    fs.file(`${dir}/vendor`, () => `0x${sp.pciId.split(':')[0]}\n`);
    fs.file(`${dir}/device`, () => `0x${sp.pciId.split(':')[1]}\n`);
    fs.link(`${dir}/driver`, `../../../../bus/pci/drivers/${sp.driver}`, `/sys/bus/pci/drivers/${sp.driver}`);
    fs.add(`/sys/bus/pci/drivers/${sp.driver}`, { kind: 'dir' });
    fs.file(`${dir}/local_cpulist`, () => `${formatCpuList(sp.numaNode >= 0 ? m.nodeCpus[sp.numaNode] : m.allCpus())}\n`);
    fs.add(`${dir}/net/${sp.name}`, { kind: 'dir' });
    if (sp.sriovTotalVfs > 0) {
      fs.file(`${dir}/sriov_totalvfs`, () => `${sp.sriovTotalVfs}\n`);
      fs.file(
        `${dir}/sriov_numvfs`,
        () => `${nic.numVfs}\n`,
        (v) => m.writeNumVfs(nic, v),
      );
      fs.file(`${dir}/sriov_offset`, () => `${sp.vfOffset}\n`);
      fs.file(`${dir}/sriov_stride`, () => `${sp.vfStride}\n`);
      fs.file(`${dir}/sriov_vf_device`, () => `${(sp.vfPciId ?? sp.pciId).split(':')[1]}\n`);
      fs.file(`${dir}/sriov_drivers_autoprobe`, () => '1\n');
      for (const vf of nic.vfs) {
        const vfCanon = `${parentOf(pciDir)}/${vf.pci}`;
        fs.link(`${dir}/virtfn${vf.index}`, `../${vf.pci}`, vfCanon);
      }
    }
  };
  pfFiles(pciDir);
  fs.link(`/sys/bus/pci/devices/${sp.pciAddress}`, `../../../devices/${pciDir.slice('/sys/devices/'.length)}`, pciDir);
  for (const vf of nic.vfs) {
    const vfDir = `${parentOf(pciDir)}/${vf.pci}`;
    fs.link(`/sys/bus/pci/devices/${vf.pci}`, `../../../devices/${vfDir.slice('/sys/devices/'.length)}`, vfDir);
    fs.file(`${vfDir}/numa_node`, () => `${sp.numaNode}\n`);
    fs.file(`${vfDir}/uevent`, () => uevent('vfio-pci', sp.vfPciId ?? sp.pciId, vf.pci));
    fs.file(`${vfDir}/vendor`, () => `0x${(sp.vfPciId ?? sp.pciId).split(':')[0]}\n`);
    fs.file(`${vfDir}/device`, () => `0x${(sp.vfPciId ?? sp.pciId).split(':')[1]}\n`);
    fs.link(`${vfDir}/physfn`, `../${sp.pciAddress}`, pciDir);
    fs.link(`${vfDir}/driver`, '../../../../bus/pci/drivers/vfio-pci', '/sys/bus/pci/drivers/vfio-pci');
    fs.add('/sys/bus/pci/drivers/vfio-pci', { kind: 'dir' });
  }
}

function uevent(driver: string, pciId: string, slot: string): string {
  const [v, d] = pciId.toUpperCase().split(':');
  return `DRIVER=${driver}\nPCI_CLASS=20000\nPCI_ID=${v}:${d}\nPCI_SUBSYS_ID=${v}:0000\nPCI_SLOT_NAME=${slot}\nMODALIAS=pci:v0000${v}d0000${d}sv0000${v}sd00000000bc02sc00i00\n`;
}
