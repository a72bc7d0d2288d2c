import type { VmInput, VmInterfaceInput } from '@netpin/client';
import { CPU_POLICIES, EMULATOR_THREAD_POLICIES, HUGEPAGE_SIZES, NUMA_POLICIES, THREAD_POLICIES } from '@netpin/contracts/enums';
import { UsageError, parseCount, type FlagValues, type NetFlags } from './args';
import { DATAPATH_CHOICES, cliValue, datapathRequest } from './enums';

/** 2048, 2048M, 2048MiB, 4G, 4GiB, 1T -> MiB. */
export function parseMemoryMiB(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|mi|mib|mb|g|gi|gib|gb|t|ti|tib|tb)?\s*$/i.exec(raw);
  if (!m) throw new UsageError(`--memory: expected MiB or a size like 512M or 4G, got "${raw}"`);
  const unit = (m[2] ?? 'm').toLowerCase()[0];
  const mib = Number(m[1]) * (unit === 'g' ? 1024 : unit === 't' ? 1024 * 1024 : 1);
  if (!Number.isInteger(mib)) throw new UsageError(`--memory: ${raw} is not a whole number of MiB`);
  return mib;
}

/** 1000, 500M, 500Mbit, 10G, 2.5Gbps -> Mbit/s (decimal units, as NIC speeds are given). */
export function parseBandwidthMbps(raw: string, flag = 'min-bandwidth'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([mgt])(?:bit\/s|bit|bps|b\/s)?)?\s*$/i.exec(raw);
  if (!m) throw new UsageError(`--${flag}: expected Mbit/s or a rate like 500M or 10G, got "${raw}"`);
  const unit = (m[2] ?? 'm').toLowerCase();
  const mbps = Number(m[1]) * (unit === 'g' ? 1000 : unit === 't' ? 1_000_000 : 1);
  if (!Number.isInteger(mbps)) throw new UsageError(`--${flag}: ${raw} is not a whole number of Mbit/s`);
  return mbps;
}

/** `physnet0`, `physnet0:sriov`, `tenant-br:VHOST_BRIDGE`. */
export function parseNet(raw: string): VmInterfaceInput {
  const [network, datapath, ...extra] = raw.split(':');
  if (!network || extra.length > 0) throw new UsageError(`--net: expected <network>[:<datapath>], got "${raw}"`);
  if (datapath === undefined) return { network };
  const dp = datapathRequest(datapath);
  if (!dp) throw new UsageError(`--net ${raw}: unknown datapath "${datapath}" (${DATAPATH_CHOICES.join(', ')})`);
  return { network, datapath: dp };
}

/** One guest NIC: its --net and the NIC flags that followed it. */
export function interfaceInput(n: NetFlags): VmInterfaceInput {
  const input = withNicOptions(parseNet(n.spec), n.options);
  if (n.options['live-migratable'] === true) input.liveMigratable = true;
  return input;
}

type NicOptions = Partial<Record<'vlan' | 'mac' | 'min-bandwidth' | 'max-bandwidth', unknown>>;

function withNicOptions(input: VmInterfaceInput, o: NicOptions): VmInterfaceInput {
  const { vlan, mac, 'min-bandwidth': minBandwidth, 'max-bandwidth': maxBandwidth } = o;
  if (typeof vlan === 'string') input.vlan = parseCount('vlan', vlan);
  if (typeof mac === 'string') input.mac = mac;
  if (typeof minBandwidth === 'string') input.minBandwidthMbps = parseBandwidthMbps(minBandwidth);
  if (typeof maxBandwidth === 'string') input.maxBandwidthMbps = parseBandwidthMbps(maxBandwidth, 'max-bandwidth');
  return input;
}

/**
 * The VmInterfaceInput of `vm nic attach`. As for vm create, only syntax is checked here:
 * an unknown network, a VLAN out of range or a MAC in use is the API's to judge (field input.*).
 */
export function nicInputFromFlags(values: FlagValues): VmInterfaceInput {
  const network = values.network;
  if (typeof network !== 'string' || network.trim() === '') throw new UsageError('--network is required');
  const input: VmInterfaceInput = { network };
  if (typeof values.datapath === 'string') {
    const dp = datapathRequest(values.datapath);
    if (!dp) throw new UsageError(`--datapath: expected ${DATAPATH_CHOICES.join('|')}, got "${values.datapath}"`);
    input.datapath = dp;
  }
  return withNicOptions(input, values);
}

/** An API enum value from its CLI spelling (case-insensitive): `2m` -> SIZE_2M. */
export function choice<T extends string>(flag: string, raw: unknown, values: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  const found = values.find((v) => cliValue(v).toLowerCase() === String(raw).toLowerCase());
  if (!found) throw new UsageError(`--${flag}: expected ${values.map(cliValue).join('|')}, got "${String(raw)}"`);
  return found;
}

/**
 * The VmInput of vm create / preview / explain / capacity. Only syntax is checked here:
 * ranges (vcpus ≥ 1, VLAN ids, MACs, names) are the API's to judge, so its message names the field.
 */
export function vmInputFromFlags(parsed: { values: FlagValues; nets: readonly NetFlags[] }, opts: { nameRequired: boolean }): VmInput {
  const { values } = parsed;
  const name = values.name as string | undefined;
  if (opts.nameRequired && name === undefined) throw new UsageError('--name is required');
  const vcpus = parseCount('vcpus', values.vcpus as string | undefined);
  if (vcpus === undefined) throw new UsageError('--vcpus is required');
  const memory = values.memory as string | undefined;
  if (memory === undefined) throw new UsageError('--memory is required');
  const input: VmInput = { name: name ?? 'preview', vcpus, memoryMiB: parseMemoryMiB(memory) };
  if (parsed.nets.length > 0) input.interfaces = parsed.nets.map(interfaceInput);
  const numa = choice('numa', values.numa, NUMA_POLICIES);
  if (numa) input.numaPolicy = numa;
  const hugepages = choice('hugepages', values.hugepages, HUGEPAGE_SIZES);
  if (hugepages) input.hugepages = hugepages;
  const cpuPolicy = choice('cpu-policy', values['cpu-policy'], CPU_POLICIES);
  if (cpuPolicy) input.cpuPolicy = cpuPolicy;
  const threadPolicy = choice('thread-policy', values['thread-policy'], THREAD_POLICIES);
  if (threadPolicy) input.threadPolicy = threadPolicy;
  const emulatorThreads = choice('emulator-threads', values['emulator-threads'], EMULATOR_THREAD_POLICIES);
  if (emulatorThreads) input.emulatorThreads = emulatorThreads;
  if (typeof values.host === 'string') input.pinHost = values.host;
  if (typeof values.group === 'string') input.group = values.group;
  const avoid = values.avoid as string[] | undefined;
  if (avoid?.length) input.avoidHosts = avoid;
  if (values['no-virtio'] === true) input.guestVirtio = false;
  if (values['no-vf-driver'] === true) input.guestVfDriver = false;
  return input;
}
