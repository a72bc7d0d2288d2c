import { formatCpuList } from '@netpin/contracts';

/**
 * The bash script that turns a fresh network namespace into a hypervisor netpin can manage:
 * it runs inside `ip netns exec NS unshare --mount --propagation private`, so every mount
 * below is private to this host and disappears with its last process.
 *
 * Real: libvirtd + virtlogd (QEMU driver), QEMU guests, OpenSSH, bash and coreutils, lscpu,
 * iproute2, ethtool, the kernel's bridge/macvtap/tap/veth devices and their sysfs files
 * (rps_cpus included), the CPUs and the NUMA node of this machine.
 * Simulated, because this machine has no such hardware: each NIC is a veth whose sysfs
 * directory gets a PCI `device/` folder (slot, driver, vendor/device ids, NUMA node), and
 * its queue interrupts exist only as lines appended to /proc/interrupts and folders under
 * /proc/irq holding smp_affinity_list files (plain files: no kernel validation of writes).
 */
export interface RealNicSpec {
  /** Interface name on the host (a veth with `queues` rx and tx queues). */
  name: string;
  /** Its MAC address (random when not given). */
  mac?: string;
  pci: string;
  driver: string;
  vendor: string;
  device: string;
  numaNode: number;
  queues: number;
  /** First IRQ number of its queue interrupts (one per queue, named `<name>-TxRx-<q>`). */
  firstIrq: number;
}

export interface RealBridgeSpec {
  name: string;
  /** NIC enslaved to the bridge, if any. */
  uplink?: string;
}

export interface HostScriptInput {
  root: string;
  nics: readonly RealNicSpec[];
  bridges: readonly RealBridgeSpec[];
  mgmtAddress: string;
  cpus: readonly number[];
  /** libvirtd's host_uuid: two libvirtds with the same one refuse to migrate between them. */
  hostUuid: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const LIBVIRT_DIRS: readonly [string, string][] = [
  ['etc', '/etc/libvirt'],
  ['lib', '/var/lib/libvirt'],
  ['log', '/var/log/libvirt'],
  ['cache', '/var/cache/libvirt'],
  ['netpin', '/var/lib/netpin'],
  // root's home: its .ssh holds this host's identity and known_hosts for migrating to peers.
  ['home', '/root'],
];

function libvirtPart(root: string, hostUuid: string, mgmtAddress: string): string[] {
  const lines = [`mkdir -p ${LIBVIRT_DIRS.map(([d, t]) => `${q(`${root}/${d}`)} ${t}`).join(' ')} /var/run/libvirt /run/sshd`];
  for (const [d, target] of LIBVIRT_DIRS) lines.push(`mount --bind ${q(`${root}/${d}`)} ${target}`);
  lines.push(
    'mount -t tmpfs -o mode=0755 tmpfs /var/run/libvirt',
    'mkdir -p /var/lib/libvirt/qemu /var/cache/libvirt/qemu /var/log/libvirt/qemu',
    // The QEMU driver resolves its default user before reading qemu.conf: the libvirt-qemu
    // user must exist (tools/setup.sh), even though guests run as root here.
    // migration_host: where a source QEMU sends an incoming migration's stream. By default it is
    // the hostname, which every host here shares with this machine (and resolves to 127.0.0.1).
    `printf '%s\\n' 'user = "root"' 'group = "root"' 'security_driver = "none"' 'cgroup_controllers = [ ]' ${q(`migration_host = "${mgmtAddress}"`)} > /etc/libvirt/qemu.conf`,
    `printf '%s\\n' 'unix_sock_group = "root"' 'unix_sock_rw_perms = "0770"' ${q(`host_uuid = "${hostUuid}"`)} > /etc/libvirt/libvirtd.conf`,
  );
  return lines;
}

function nicPart(root: string, nic: RealNicSpec): string[] {
  const n = q(nic.name);
  const mirror = q(`${root}/sys/${nic.name}`);
  const dev = `/sys/devices/virtual/net/${nic.name}`;
  const uevent = [`DRIVER=${nic.driver}`, `PCI_ID=${nic.vendor}:${nic.device}`.toUpperCase(), `PCI_SLOT_NAME=${nic.pci}`].join('\\n');
  return [
    `ip link add ${n}${nic.mac === undefined ? '' : ` address ${nic.mac}`} numtxqueues ${nic.queues} numrxqueues ${nic.queues} type veth peer name ${q(`${nic.name}p`)} numtxqueues ${nic.queues} numrxqueues ${nic.queues}`,
    `ip link set ${q(`${nic.name}p`)} up && ip link set ${n} up`,
    // Mirror the real sysfs folder entry by entry (bind mounts keep kernel semantics), add
    // the simulated PCI device folder, then lay the mirror over the real folder.
    `mkdir -p ${mirror}`,
    `for e in ${dev}/*; do b=$(basename "$e"); if [ -L "$e" ]; then ln -s "$(readlink "$e")" ${mirror}/"$b"; ` +
      `elif [ -d "$e" ]; then mkdir ${mirror}/"$b" && mount --rbind "$e" ${mirror}/"$b"; ` +
      `else touch ${mirror}/"$b" && mount --bind "$e" ${mirror}/"$b"; fi; done`,
    `mkdir -p ${mirror}/device`,
    `printf '${uevent}\\n' > ${mirror}/device/uevent`,
    `echo ${nic.numaNode} > ${mirror}/device/numa_node`,
    `echo 0x${nic.vendor} > ${mirror}/device/vendor && echo 0x${nic.device} > ${mirror}/device/device`,
    `mount --rbind ${mirror} ${dev}`,
  ];
}

function irqPart(root: string, input: HostScriptInput): string[] {
  const all = formatCpuList(input.cpus);
  const lines = [`mkdir -p ${q(`${root}/proc/irq`)}`, `cp /proc/interrupts ${q(`${root}/proc/interrupts`)}`];
  for (const nic of input.nics) {
    for (let k = 0; k < nic.queues; k++) {
      const irq = nic.firstIrq + k;
      // The layout of this kernel's MSI-X lines: "%3d: " then one %10u count per CPU.
      const line = `${String(irq).padStart(4)}: ${input.cpus.map(() => '0'.padStart(10)).join(' ')} PCI-MSIX-${nic.pci} ${String(k).padStart(3)}-edge      ${nic.name}-TxRx-${k}`;
      lines.push(
        `echo ${q(line)} >> ${q(`${root}/proc/interrupts`)}`,
        `mkdir -p ${q(`${root}/proc/irq/${irq}`)} && echo ${q(all)} > ${q(`${root}/proc/irq/${irq}/smp_affinity_list`)}`,
      );
    }
  }
  lines.push(`mount --bind ${q(`${root}/proc/interrupts`)} /proc/interrupts`, `mount --bind ${q(`${root}/proc/irq`)} /proc/irq`);
  return lines;
}

function bridgePart(b: RealBridgeSpec): string[] {
  const lines = [`ip link add ${q(b.name)} type bridge`, `ip link set ${q(b.name)} up`];
  if (b.uplink !== undefined) lines.push(`ip link set ${q(b.uplink)} master ${q(b.name)}`);
  return lines;
}

function daemonPart(root: string, mgmtAddress: string): string[] {
  const cfg = q(`${root}/sshd_config`);
  return [
    'ip link set lo up',
    `printf '%s\\n' ${q(`ListenAddress ${mgmtAddress}`)} ${q(`HostKey ${root}/ssh_host_ed25519_key`)} ` +
      `${q(`AuthorizedKeysFile ${root}/authorized_keys`)} 'UsePAM no' 'StrictModes no' 'PermitRootLogin prohibit-password' ` +
      `'PasswordAuthentication no' 'MaxStartups 64' 'MaxSessions 64' ${q(`PidFile ${root}/sshd.pid`)} > ${cfg}`,
    `virtlogd -d -p ${q(`${root}/virtlogd.pid`)}`,
    `libvirtd -d -p ${q(`${root}/libvirtd.pid`)}`,
    `/usr/sbin/sshd -f ${cfg}`,
    // libvirtd answers once its socket exists; wait for it (a few seconds on a busy machine).
    'for i in $(seq 1 150); do virsh -c qemu:///system version >/dev/null 2>&1 && exit 0; sleep 0.1; done',
    `echo "libvirtd did not answer; its log: $(tail -5 ${q(`${root}/log/libvirtd.log`)} 2>/dev/null)" >&2; exit 1`,
  ];
}

export function hostScript(input: HostScriptInput): string {
  const lines = ['set -euo pipefail', ...libvirtPart(input.root, input.hostUuid, input.mgmtAddress)];
  for (const nic of input.nics) lines.push(...nicPart(input.root, nic));
  lines.push(...irqPart(input.root, input));
  for (const b of input.bridges) lines.push(...bridgePart(b));
  lines.push(...daemonPart(input.root, input.mgmtAddress));
  return `${lines.join('\n')}\n`;
}
