import {
  formatCpuList,
  formatCpuMask,
  type DomainName,
  type IfName,
  type MacAddress,
  type VlanId,
  type VlanProtocol,
} from '@netpin/contracts';
import { shellQuote, uintArg, type HostCommand } from './command';
import { HostCommandArgumentError } from './errors';
import { hostPaths } from './paths';

// ---------------------------------------------------------------------------------------
// Files

/** Read one file (`cat PATH`). */
export function readFile(path: string): HostCommand {
  return { argv: ['cat', '--', checkPath(path)] };
}

/**
 * Read many small files in one round trip: `grep -H -s '' -- P1 P2 ...` prints every line
 * as "PATH:line" and silently skips files that do not exist. Parse with `parseGrepFiles`.
 */
export function readFiles(paths: readonly string[]): HostCommand {
  if (paths.length === 0) throw new HostCommandArgumentError('paths', 'must not be empty');
  return { argv: ['grep', '-H', '-s', '', '--', ...paths.map(checkPath)], okExitCodes: [0, 1, 2] };
}

/** `readlink -- P1 P2 ...`: one target per line, in order, for the links that exist. */
export function readLinks(paths: readonly string[]): HostCommand {
  if (paths.length === 0) throw new HostCommandArgumentError('paths', 'must not be empty');
  return { argv: ['readlink', '--', ...paths.map(checkPath)], okExitCodes: [0, 1] };
}

/** `ls -1d -- P1 P2 ...`: prints the paths that exist (exit 2 when some do not). */
export function pathsExist(paths: readonly string[]): HostCommand {
  return { argv: ['ls', '-1d', '--', ...paths.map(checkPath)], okExitCodes: [0, 1, 2] };
}

/** `ls -1 -- DIR`: directory entries, one per line. */
export function listDir(path: string): HostCommand {
  return { argv: ['ls', '-1', '--', checkPath(path)], okExitCodes: [0, 2] };
}

/**
 * Write a sysfs/procfs value like `echo VALUE > PATH`, without a shell: `tee PATH` with the
 * value (plus the newline echo would add) on stdin. tee issues one write(), which sysfs
 * attributes require, and reports the kernel's errno text ("Device or resource busy") on
 * stderr. Its stdout repeats the value; ignore it.
 */
export function writeFile(path: string, value: string): HostCommand {
  if (/[\n\0]/.test(value)) throw new HostCommandArgumentError('value', 'must be a single line');
  return { argv: ['tee', '--', checkPath(path)], stdin: `${value}\n` };
}

/** A document (a migration's domain XML) into a file under netpin's state folder: `tee PATH` with it on stdin. */
export function writeDocument(path: string, text: string): HostCommand {
  if (text.includes('\0')) throw new HostCommandArgumentError('text', 'must not contain NUL');
  return { argv: ['tee', '--', checkPath(path)], stdin: text };
}

/**
 * Many `writeFile` commands in one round trip: `bash -c 'echo V1 > P1 && echo V2 > P2 ...'`.
 * Only writeFile's own commands are taken (their paths already checked, their values single
 * lines), and every path and value goes in shell-quoted (shellQuote: literal words), so the
 * shell sees nothing but fixed `echo ... > ...` items. Like tee, bash's echo issues one write()
 * per value (what sysfs attributes need); the list stops at the first failing write. bash's
 * message does not name the file ("bash: line 1: echo: write error: Invalid argument"): a
 * caller that wants tee's wording runs the writes one by one after a failure (they are
 * idempotent). A value echo would read as an option or escape (leading '-', a backslash) is
 * refused. With `dir`, the list starts with `mkdir -p -- DIR` (a baseline record's folder):
 * nothing is written when it cannot be made.
 */
export function writeFilesBatch(writes: readonly HostCommand[], dir?: string): HostCommand {
  if (writes.length === 0) throw new HostCommandArgumentError('writes', 'must not be empty');
  const items = writes.map((w) => {
    const [tee, dashes, path, ...rest] = w.argv;
    if (tee !== 'tee' || dashes !== '--' || path === undefined || rest.length > 0 || w.stdin === undefined || !w.stdin.endsWith('\n'))
      throw new HostCommandArgumentError('writes', 'only writeFile commands can be batched');
    const value = w.stdin.slice(0, -1);
    if (/[\n\0\\]/.test(value) || value.startsWith('-'))
      throw new HostCommandArgumentError('value', `cannot be written with echo: ${JSON.stringify(value)}`);
    return `echo ${shellQuote([value])} > ${shellQuote([checkPath(path)])}`;
  });
  const mkdir = dir === undefined ? [] : [shellQuote(makeDir(dir).argv)];
  return { argv: ['bash', '-c', [...mkdir, ...items].join(' && ')] };
}

/** `mkdir -p -- DIR` (netpin's state folder on the host). */
export function makeDir(path: string): HostCommand {
  return { argv: ['mkdir', '-p', '--', checkPath(path)] };
}

/** `rm -f -- P1 P2 ...`: absent files are not an error. */
export function removeFiles(paths: readonly string[]): HostCommand {
  if (paths.length === 0) throw new HostCommandArgumentError('paths', 'must not be empty');
  return { argv: ['rm', '-f', '--', ...paths.map(checkPath)] };
}

export function setSriovNumVfs(pf: IfName, numVfs: number): HostCommand {
  return writeFile(hostPaths.sriovNumVfs(pf), uintArg('numVfs', numVfs, 4096));
}

/** Pin an IRQ with a CPU list (smp_affinity_list accepts "4-7,12"). */
export function setIrqAffinity(irq: number, cpus: readonly number[]): HostCommand {
  if (cpus.length === 0) throw new HostCommandArgumentError('cpus', 'an IRQ needs at least one CPU');
  return writeFile(hostPaths.irqAffinityList(irq), formatCpuList(cpus));
}

/** Set RPS CPUs of one receive queue; an empty list turns RPS off ("0" mask). */
export function setRpsCpus(ifName: IfName, queue: number, cpus: readonly number[], nrCpus: number): HostCommand {
  return writeFile(hostPaths.rpsCpus(ifName, queue), formatCpuMask(cpus, nrCpus));
}

// ---------------------------------------------------------------------------------------
// CPU, links, channels

export function lscpu(): HostCommand {
  return { argv: ['lscpu', '-p=CPU,CORE,SOCKET,NODE'] };
}

/** `ip -d link show [dev X]`: details include numrxqueues, parentdev and the VF lines. */
export function ipLinkShow(dev?: IfName): HostCommand {
  return { argv: ['ip', '-d', 'link', 'show', ...(dev === undefined ? [] : ['dev', dev])] };
}

/** `ip link set dev DEV master BRIDGE` (enslave to a Linux bridge), or `nomaster` with null (a no-op when not enslaved). */
export function ipLinkSetMaster(dev: IfName, master: IfName | null): HostCommand {
  return { argv: ['ip', 'link', 'set', 'dev', dev, ...(master === null ? ['nomaster'] : ['master', master])] };
}

export interface VfSettings {
  mac?: MacAddress;
  /** 0 removes the tag. */
  vlan?: VlanId;
  /** 802.1p priority, only together with vlan. */
  qos?: number;
  /** The tag's ethertype, only together with vlan; unset = iproute2's default, 802.1Q. */
  vlanProtocol?: VlanProtocol;
  spoofChk?: boolean;
  trust?: boolean;
  /** 0 = unlimited. */
  maxTxRateMbps?: number;
  minTxRateMbps?: number;
  state?: 'auto' | 'enable' | 'disable';
}

/** iproute2's spelling of each VLAN protocol (ll_proto names). */
export const VLAN_PROTOCOL_KEYWORDS: Readonly<Record<VlanProtocol, string>> = { DOT1Q: '802.1Q', DOT1AD: '802.1ad' };

/** `ip link set PF vf N mac .. vlan .. [qos ..] [proto ..] spoofchk .. trust .. max_tx_rate .. min_tx_rate .. state ..` */
export function ipLinkSetVf(pf: IfName, vf: number, s: VfSettings): HostCommand {
  const argv = ['ip', 'link', 'set', pf, 'vf', uintArg('vf', vf, 4095)];
  if (s.mac !== undefined) argv.push('mac', s.mac);
  if (s.vlan !== undefined) {
    argv.push('vlan', uintArg('vlan', s.vlan, 4094));
    if (s.qos !== undefined) argv.push('qos', uintArg('qos', s.qos, 7));
    if (s.vlanProtocol !== undefined) argv.push('proto', VLAN_PROTOCOL_KEYWORDS[s.vlanProtocol]);
  } else if (s.qos !== undefined || s.vlanProtocol !== undefined) {
    throw new HostCommandArgumentError(s.qos !== undefined ? 'qos' : 'vlanProtocol', 'needs a vlan');
  }
  if (s.spoofChk !== undefined) argv.push('spoofchk', s.spoofChk ? 'on' : 'off');
  if (s.trust !== undefined) argv.push('trust', s.trust ? 'on' : 'off');
  if (s.maxTxRateMbps !== undefined) argv.push('max_tx_rate', uintArg('maxTxRateMbps', s.maxTxRateMbps));
  if (s.minTxRateMbps !== undefined) argv.push('min_tx_rate', uintArg('minTxRateMbps', s.minTxRateMbps));
  if (s.state !== undefined) argv.push('state', s.state);
  if (argv.length === 6) throw new HostCommandArgumentError('settings', 'nothing to set');
  return { argv };
}

/** `ovs-vsctl --timeout=5 list-br`: one bridge per line; absent (127) or failing = OVS not running. */
export function ovsListBridges(): HostCommand {
  return { argv: ['ovs-vsctl', '--timeout=5', 'list-br'] };
}

/** `ovs-vsctl get Open_vSwitch . dpdk_initialized`: `true` once OVS initialised DPDK (OVS >= 2.10). */
export function ovsDpdkInitialized(): HostCommand {
  return { argv: ['ovs-vsctl', '--timeout=5', 'get', 'Open_vSwitch', '.', 'dpdk_initialized'] };
}

/** The PMD CPU mask OVS was given (`"0x6"`), or an empty line when unset (OVS's default then applies). */
export function ovsPmdCpuMask(): HostCommand {
  return { argv: ['ovs-vsctl', '--timeout=5', '--if-exists', 'get', 'Open_vSwitch', '.', 'other_config:pmd-cpu-mask'] };
}

/** Each bridge's name and datapath type as CSV lines (`br-int,netdev`; empty type = system). */
export function ovsBridgeDatapaths(): HostCommand {
  return {
    argv: ['ovs-vsctl', '--timeout=5', '--format=csv', '--data=bare', '--no-headings', '--columns=name,datapath_type', 'list', 'Bridge'],
  };
}

/** The OVS interface column netpin marks its ports with (the VM's id): a port without it is not netpin's. */
export const OVS_OWNER_KEY = 'netpin-vm-id';

export interface VhostUserPortSpec {
  bridge: IfName;
  port: IfName;
  /** Where QEMU serves the socket (libvirt mode server); an absolute path of safe characters. */
  socketPath: string;
  /** The port's access VLAN (OVS `tag`), or null for untagged. */
  vlan: VlanId | null;
  /** A VLAN trunk instead: OVS `trunks`, the native VLAN as `tag`, `vlan_mode`; null = none. */
  trunk?: { vlans: readonly number[]; native: { vlan: number; mode: 'UNTAGGED' | 'TAGGED' } | null } | null;
  /** OVS Interface `mtu_request`; null/unset = the switch's default. */
  mtu?: number | null;
  /** The guest's transmit cap as the port's ingress policing, Mbit/s; 0 = none. */
  maxRateMbps: number;
  vmId: string;
}

/**
 * Create (or bring back to spec) a vhost-user port: a dpdkvhostuserclient interface that
 * connects to the socket QEMU serves, marked with the VM's id, with its VLAN tag.
 * `--may-exist` keeps an existing port; the `set`/`clear` that follow still converge it.
 */
export function ovsAddVhostUserPort(s: VhostUserPortSpec): HostCommand {
  if (!/^\/[A-Za-z0-9_./-]+$/.test(s.socketPath) || s.socketPath.split('/').some((x) => /^\.+$/.test(x)))
    throw new HostCommandArgumentError('socketPath', 'must be an absolute path of [A-Za-z0-9_./-]');
  if (!/^[A-Za-z0-9-]{1,64}$/.test(s.vmId)) throw new HostCommandArgumentError('vmId', 'must be [A-Za-z0-9-]');
  const tag = portVlanArgs(s);
  const mtu = s.mtu == null ? ['clear', 'Interface', s.port, 'mtu_request'] : ['set', 'Interface', s.port, `mtu_request=${mtuArg(s.mtu)}`];
  const kbps = Number(uintArg('maxRateMbps', s.maxRateMbps, 400_000)) * 1000;
  return {
    argv: [
      'ovs-vsctl',
      '--timeout=5',
      '--may-exist',
      'add-port',
      s.bridge,
      s.port,
      '--',
      'set',
      'Interface',
      s.port,
      'type=dpdkvhostuserclient',
      `options:vhost-server-path=${s.socketPath}`,
      `external_ids:${OVS_OWNER_KEY}=${s.vmId}`,
      // kbit/s (0 = no policing); the burst is a tenth of a second of it
      `ingress_policing_rate=${kbps}`,
      `ingress_policing_burst=${kbps / 10}`,
      '--',
      ...tag,
      '--',
      ...mtu,
    ],
  };
}

function mtuArg(mtu: number): string {
  if (!Number.isSafeInteger(mtu) || mtu < 68 || mtu > 65535) throw new HostCommandArgumentError('mtu', 'must be 68-65535');
  return String(mtu);
}

/**
 * The port's VLAN columns, all three every time so a port converges from any earlier state:
 * access = tag only; trunk = trunks with vlan_mode trunk; trunk with a native VLAN = trunks
 * (the native one among them, as libvirt writes it), tag = native, vlan_mode native-untagged or
 * native-tagged (Open vSwitch's vswitch.xml semantics); untagged = all three cleared.
 */
function portVlanArgs(s: VhostUserPortSpec): string[] {
  const t = s.trunk ?? null;
  if (t === null) {
    if (s.vlan === null) return ['clear', 'Port', s.port, 'tag', 'trunks', 'vlan_mode'];
    return ['set', 'Port', s.port, `tag=${uintArg('vlan', s.vlan, 4094)}`, '--', 'clear', 'Port', s.port, 'trunks', 'vlan_mode'];
  }
  if (s.vlan !== null) throw new HostCommandArgumentError('trunk', 'a port has an access vlan or a trunk, not both');
  if (t.vlans.length === 0) throw new HostCommandArgumentError('trunk', 'a trunk needs at least one VLAN');
  const vlans = t.vlans.map((v, k) => {
    if (!Number.isSafeInteger(v) || v < 1 || v > 4094) throw new HostCommandArgumentError(`trunk.vlans[${k}]`, 'must be 1-4094');
    return String(v);
  });
  const trunks = `trunks=${vlans.join(',')}`;
  if (t.native === null) return ['set', 'Port', s.port, trunks, 'vlan_mode=trunk', '--', 'clear', 'Port', s.port, 'tag'];
  const native = uintArg('trunk.native', t.native.vlan, 4094);
  if (!vlans.includes(native)) throw new HostCommandArgumentError('trunk.native', 'must be among the trunk VLANs');
  const mode = t.native.mode === 'TAGGED' ? 'native-tagged' : 'native-untagged';
  return ['set', 'Port', s.port, `tag=${native}`, trunks, `vlan_mode=${mode}`];
}

/** Remove a port from its bridge; an absent port is not an error. */
export function ovsDelPort(bridge: IfName, port: IfName): HostCommand {
  return { argv: ['ovs-vsctl', '--timeout=5', '--if-exists', 'del-port', bridge, port] };
}

/** Every dpdkvhostuserclient interface with its options and marks, as ovs-vsctl JSON (`parseOvsVhostUserInterfaces`). */
export function ovsListVhostUserInterfaces(): HostCommand {
  return {
    argv: [
      'ovs-vsctl',
      '--timeout=5',
      '--format=json',
      '--columns=name,options,external_ids,ingress_policing_rate,mtu_request',
      'find',
      'Interface',
      'type=dpdkvhostuserclient',
    ],
  };
}

/** A port's bridge and VLAN columns, four lines (`br-int`, tag `100` or `[]`, trunks `[10, 20]`, vlan_mode); exit 1 when there is no such port. */
export function ovsPortPlacement(port: IfName): HostCommand {
  return {
    argv: ['ovs-vsctl', '--timeout=5', 'port-to-br', port, '--', 'get', 'Port', port, 'tag', 'trunks', 'vlan_mode'],
    okExitCodes: [0, 1],
  };
}

export function ethtoolShowChannels(dev: IfName): HostCommand {
  return { argv: ['ethtool', '-l', dev] };
}

export function ethtoolSetCombined(dev: IfName, combined: number): HostCommand {
  if (combined < 1) throw new HostCommandArgumentError('combined', 'must be at least 1');
  return { argv: ['ethtool', '-L', dev, 'combined', uintArg('combined', combined, 4096)] };
}

// ---------------------------------------------------------------------------------------
// virsh

export interface VirshOptions {
  /** libvirt connection URI, e.g. qemu:///system (default) or test:///default. */
  uri?: string;
}

const URI = /^[a-z][a-z0-9+]*:\/\/[A-Za-z0-9._~@:/-]*(\?[A-Za-z0-9._~=&/-]*)?$/;

function virsh(opts: VirshOptions | undefined, ...args: string[]): string[] {
  if (opts?.uri === undefined) return ['virsh', ...args];
  if (!URI.test(opts.uri)) throw new HostCommandArgumentError('uri', `not a libvirt URI: ${opts.uri}`);
  return ['virsh', '-c', opts.uri, ...args];
}

/** `virsh define /dev/stdin` with the domain XML on stdin: no temp file to clean up. */
export function virshDefine(xml: string, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'define', '/dev/stdin'), stdin: xml };
}
export function virshStart(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'start', name) };
}
export function virshDestroy(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'destroy', name) };
}
/**
 * `virsh shutdown NAME`: asks the guest to power off (ACPI) and returns at once (exit 0,
 * "Domain 'NAME' is being shutdown"); a guest that ignores ACPI keeps running.
 */
export function virshShutdown(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'shutdown', name) };
}
/** `virsh reboot NAME`: asks the guest to reboot (ACPI) and returns at once; the domain stays running. */
export function virshReboot(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'reboot', name) };
}
export function virshUndefine(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'undefine', name) };
}
/** Where a device change applies: the running domain (--live), its persistent definition (--config), or both. */
export interface DeviceScope {
  live: boolean;
  config: boolean;
}

function deviceScope(s: DeviceScope): string[] {
  if (!s.live && !s.config) throw new HostCommandArgumentError('scope', 'live, config or both');
  return [...(s.live ? ['--live'] : []), ...(s.config ? ['--config'] : [])];
}

/** `virsh attach-device NAME /dev/stdin --live --config` with the device XML on stdin (hot-plug). */
export function virshAttachDevice(name: DomainName, deviceXml: string, s: DeviceScope & VirshOptions): HostCommand {
  return { argv: virsh(s, 'attach-device', name, '/dev/stdin', ...deviceScope(s)), stdin: deviceXml };
}

/**
 * `virsh detach-device NAME /dev/stdin --live --config`: libvirt finds the interface by its MAC.
 * A live detach only asks the guest to release the device and answers success at once.
 */
export function virshDetachDevice(name: DomainName, deviceXml: string, s: DeviceScope & VirshOptions): HostCommand {
  return { argv: virsh(s, 'detach-device', name, '/dev/stdin', ...deviceScope(s)), stdin: deviceXml };
}
export function virshDumpxml(name: DomainName, opts?: VirshOptions & { inactive?: boolean }): HostCommand {
  return { argv: virsh(opts, 'dumpxml', ...(opts?.inactive === true ? ['--inactive'] : []), name) };
}
export function virshDomstate(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'domstate', name) };
}
/** `virsh list --all` (table; parse with parseVirshList). */
export function virshListAll(opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'list', '--all') };
}
/** `virsh list --all --name` (one name per line; parse with parseVirshListNames). */
export function virshListAllNames(opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'list', '--all', '--name') };
}

/**
 * `virsh dumpxml NAME` for a name virsh listed, which need not satisfy netpin's own domain
 * name rules (someone else's domain): any name virsh can take as an argument.
 */
export function virshDumpxmlListed(name: string, opts?: VirshOptions): HostCommand {
  if (name === '' || name.startsWith('-') || name.length > 1024 || /[\0\n]/.test(name))
    throw new HostCommandArgumentError('name', 'not a domain name virsh can take as an argument');
  return { argv: virsh(opts, 'dumpxml', name) };
}

export interface PinScope {
  /** Apply to the running domain. */
  live?: boolean;
  /** Apply to the persistent definition. */
  config?: boolean;
}

function scope(s: PinScope | undefined): string[] {
  return [...(s?.live === true ? ['--live'] : []), ...(s?.config === true ? ['--config'] : [])];
}

export function virshVcpupin(name: DomainName, vcpu: number, cpus: readonly number[], s?: PinScope & VirshOptions): HostCommand {
  return { argv: virsh(s, 'vcpupin', name, uintArg('vcpu', vcpu, 4095), cpuListArg(cpus), ...scope(s)) };
}
export function virshEmulatorpin(name: DomainName, cpus: readonly number[], s?: PinScope & VirshOptions): HostCommand {
  return { argv: virsh(s, 'emulatorpin', name, cpuListArg(cpus), ...scope(s)) };
}

function cpuListArg(cpus: readonly number[]): string {
  if (cpus.length === 0) throw new HostCommandArgumentError('cpus', 'must not be empty');
  cpus.forEach((c) => uintArg('cpu', c, 65535));
  return formatCpuList(cpus);
}

/**
 * Paths reach builders only from `hostPaths` (typed values) or discovery; this check
 * is a last guard so that a path can never be mistaken for an option or climb upwards.
 */
function checkPath(path: string): string {
  if (!path.startsWith('/') || path.split('/').some((seg) => seg === '..') || /[\0\n]/.test(path)) {
    throw new HostCommandArgumentError('path', `refusing path ${JSON.stringify(path)}`);
  }
  return path;
}

const ALIAS = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `virsh detach-device-alias NAME ALIAS --live`: the device of that alias (libvirt's hostdev0,
 * net1 ...). A failover pair's two members share a MAC, so only the alias names the VF alone.
 * Live, it only asks the guest to release the device.
 */
export function virshDetachDeviceAlias(name: DomainName, alias: string, s: DeviceScope & VirshOptions): HostCommand {
  if (!ALIAS.test(alias)) throw new HostCommandArgumentError('alias', `not a device alias: ${JSON.stringify(alias)}`);
  return { argv: virsh(s, 'detach-device-alias', name, alias, ...deviceScope(s)) };
}

const MIGRATION_URI = /^qemu\+(ssh|tcp|tls):\/\/([A-Za-z0-9_.-]+@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?\/system$/;

export interface MigrateOptions {
  /** --live: the guest keeps running during the copy; without it the guest is paused for it. */
  live: boolean;
  /** The domain as it will run on the target (--xml), a file on the source host. */
  xmlFile: string;
  /** Its persistent definition there (--persistent-xml), a file on the source host. */
  persistentXmlFile: string;
}

/**
 * `virsh migrate --live --persistent --undefinesource --xml F --persistent-xml F NAME DESTURI
 * --migrateuri tcp://TARGET`, run on the source host: virsh there connects to the target's
 * libvirtd over DESTURI and drives both ends, so a refusal arrives with its reason (with
 * --p2p, libvirt 9.0 reports every target-side refusal as "End of file while reading data").
 * The memory goes straight to TARGET (not to whatever the target's hostname resolves to). The
 * domain ends defined on the target (both definitions: --persistent without --persistent-xml
 * would keep the source's pins there) and forgotten on the source; on failure libvirt leaves
 * it running on the source.
 */
export function virshMigrate(name: DomainName, destUri: string, o: MigrateOptions): HostCommand {
  const m = MIGRATION_URI.exec(destUri);
  if (!m) throw new HostCommandArgumentError('destUri', `not a qemu+ssh|tcp|tls://host[:port]/system URI: ${destUri}`);
  return {
    argv: [
      'virsh',
      'migrate',
      ...(o.live ? ['--live'] : []),
      '--persistent',
      '--undefinesource',
      '--xml',
      checkPath(o.xmlFile),
      '--persistent-xml',
      checkPath(o.persistentXmlFile),
      name,
      destUri,
      '--migrateuri',
      `tcp://${m[3]}`,
    ],
  };
}

/** `virsh domjobinfo NAME`: progress of the domain's job (an outgoing migration). */
export function virshDomjobinfo(name: DomainName, opts?: VirshOptions): HostCommand {
  return { argv: virsh(opts, 'domjobinfo', name) };
}
