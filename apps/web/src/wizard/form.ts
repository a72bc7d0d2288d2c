import type { VmInput } from '@netpin/client/operations';

/**
 * The create-VM form as the user types it (strings for numbers so a half-typed field is
 * representable), and its translation to the GraphQL VmInput. The server validates
 * again; these checks exist so the preview is not asked about nonsense on every key.
 */

type Iface = NonNullable<VmInput['interfaces']>[number];
export type DatapathChoice = NonNullable<Iface['datapath']>;
export type HugepageChoice = NonNullable<VmInput['hugepages']>;
export type CpuPolicyChoice = NonNullable<VmInput['cpuPolicy']>;
export type ThreadPolicyChoice = NonNullable<VmInput['threadPolicy']>;
export type EmulatorChoice = NonNullable<VmInput['emulatorThreads']>;
export type NumaPolicyChoice = NonNullable<VmInput['numaPolicy']>;

/**
 * What the wizard shows and checks per datapath: the wording of the datapath's module in the
 * registry (the API's `datapaths` query serves the same) and the guest needs placement checks.
 * Keyed by every value of the API's Datapath enum: a datapath added there fails to compile
 * here until it is described.
 */
interface DatapathUi {
  help: string;
  virtio?: boolean;
  vfDriver?: boolean;
  hugepages?: boolean;
  noLiveMigration?: boolean;
}
export const DATAPATH_UI: Readonly<Record<DatapathChoice, DatapathUi>> = {
  AUTO: { help: 'let placement choose the fastest datapath that fits' },
  SRIOV: { help: 'VF passthrough: lowest cost, no live migration', vfDriver: true, noLiveMigration: true },
  VDPA: {
    help: 'vDPA: a VF that serves virtio rings in hardware; the guest needs only virtio; moves COLD only',
    virtio: true,
    noLiveMigration: true,
  },
  VHOST_USER: {
    help: "vhost-user on OVS-DPDK: PMD-polled, needs huge pages and PMD cores on the VM's node",
    virtio: true,
    hugepages: true,
  },
  VHOST_MACVTAP: { help: 'vhost-net on macvtap', virtio: true },
  VHOST_BRIDGE: { help: 'vhost-net on a Linux bridge', virtio: true },
  VHOST_OVS: { help: 'vhost-net on Open vSwitch', virtio: true },
  VIRTIO_USERSPACE: { help: 'virtio in QEMU user space', virtio: true },
  E1000: { help: 'emulated e1000: any guest, many exits' },
  RTL8139: { help: 'emulated rtl8139: legacy guests' },
};
export const DATAPATH_CHOICES = Object.keys(DATAPATH_UI) as readonly DatapathChoice[];
export const HUGEPAGE_CHOICES: readonly HugepageChoice[] = ['NONE', 'SIZE_2M', 'SIZE_1G'];
export const CPU_POLICY_CHOICES: readonly CpuPolicyChoice[] = ['DEDICATED', 'SHARED'];
export const THREAD_POLICY_CHOICES: readonly ThreadPolicyChoice[] = ['PREFER', 'ISOLATE', 'REQUIRE'];
export const EMULATOR_CHOICES: readonly EmulatorChoice[] = ['SHARE', 'ISOLATE'];
export const NUMA_POLICY_CHOICES: readonly NumaPolicyChoice[] = ['REQUIRED', 'PREFERRED', 'NONE'];

export interface InterfaceForm {
  network: string;
  datapath: DatapathChoice;
  liveMigratable: boolean;
  minBandwidthMbps: string;
  maxBandwidthMbps: string;
  mac: string;
  vlan: string;
}

export interface VmForm {
  name: string;
  vcpus: string;
  memoryMiB: string;
  hugepages: HugepageChoice;
  cpuPolicy: CpuPolicyChoice;
  threadPolicy: ThreadPolicyChoice;
  emulatorThreads: EmulatorChoice;
  numaPolicy: NumaPolicyChoice;
  guestVirtio: boolean;
  guestVfDriver: boolean;
  interfaces: InterfaceForm[];
  pinHost: string;
  avoidHosts: string[];
  /** Affinity group name; '' = none. */
  group: string;
}

export function emptyInterface(network = ''): InterfaceForm {
  return { network, datapath: 'AUTO', liveMigratable: false, minBandwidthMbps: '', maxBandwidthMbps: '', mac: '', vlan: '' };
}

export function initialForm(): VmForm {
  return {
    name: '',
    vcpus: '4',
    memoryMiB: '4096',
    hugepages: 'NONE',
    cpuPolicy: 'DEDICATED',
    threadPolicy: 'PREFER',
    emulatorThreads: 'SHARE',
    numaPolicy: 'REQUIRED',
    guestVirtio: true,
    // Same defaults as the API's VmInput, so an untouched box means what the server assumes.
    guestVfDriver: true,
    interfaces: [emptyInterface()],
    pinHost: '',
    avoidHosts: [],
    group: '',
  };
}

/** Field path (as used for error keys and data-testids) -> message */
export type FormErrors = Record<string, string>;

export type FormResult = { ok: true; input: VmInput } | { ok: false; errors: FormErrors };

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAC_RE = /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/;
const INT_RE = /^\d+$/;

function parseIntField(raw: string, errors: FormErrors, key: string, label: string, min: number, max: number): number | undefined {
  const s = raw.trim();
  if (!INT_RE.test(s)) {
    errors[key] = `${label} must be a whole number`;
    return undefined;
  }
  const n = Number(s);
  if (n < min || n > max) {
    errors[key] = `${label} must be between ${min} and ${max}`;
    return undefined;
  }
  return n;
}

function convertInterface(f: InterfaceForm, i: number, form: VmForm, errors: FormErrors): Iface | undefined {
  const p = `interfaces.${i}`;
  const before = Object.keys(errors).length;
  if (f.network.trim() === '') errors[`${p}.network`] = 'Choose a network';
  // The same rules the placement engine applies (docs/datapaths.md),
  // checked here so the user learns about them next to the field, not from a rejection.
  const ui = DATAPATH_UI[f.datapath];
  if (ui.vfDriver && !form.guestVfDriver) errors[`${p}.datapath`] = 'SR-IOV needs a VF driver in the guest';
  else if (ui.noLiveMigration && f.liveMigratable)
    errors[`${p}.datapath`] = f.datapath === 'VDPA' ? 'A vDPA interface cannot be live-migrated' : 'An SR-IOV VF cannot be live-migrated';
  else if (ui.virtio && !form.guestVirtio) errors[`${p}.datapath`] = 'This datapath needs a virtio driver in the guest';
  else if (ui.hugepages && form.hugepages === 'NONE') errors[`${p}.datapath`] = 'vhost-user needs the VM on huge pages';
  const { minBandwidthMbps, maxBandwidthMbps } = bandwidthFields(f, p, errors);
  let vlan: number | undefined;
  if (f.vlan.trim() !== '') vlan = parseIntField(f.vlan, errors, `${p}.vlan`, 'VLAN', 0, 4094);
  let mac: string | undefined;
  const macRaw = f.mac.trim();
  if (macRaw !== '') {
    if (!MAC_RE.test(macRaw)) errors[`${p}.mac`] = 'MAC address must look like 52:54:00:12:34:56';
    else if ((parseInt(macRaw.slice(0, 2), 16) & 1) === 1) errors[`${p}.mac`] = 'MAC address must be unicast (first octet even)';
    else mac = macRaw.toLowerCase().replace(/-/g, ':');
  }
  if (Object.keys(errors).length > before) return undefined;
  const out: Iface = { network: f.network.trim(), datapath: f.datapath, liveMigratable: f.liveMigratable };
  if (minBandwidthMbps !== undefined) out.minBandwidthMbps = minBandwidthMbps;
  if (maxBandwidthMbps !== undefined) out.maxBandwidthMbps = maxBandwidthMbps;
  if (mac !== undefined) out.mac = mac;
  if (vlan !== undefined) out.vlan = vlan;
  return out;
}

export function formToVmInput(form: VmForm): FormResult {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === '') errors['name'] = 'Name is required';
  else if (name.length > 64) errors['name'] = 'Name must be at most 64 characters';
  else if (!NAME_RE.test(name)) errors['name'] = 'Name may contain letters, digits, "_", "." and "-" and must start with a letter or digit';
  const vcpus = parseIntField(form.vcpus, errors, 'vcpus', 'vCPUs', 1, 512);
  const memoryMiB = parseIntField(form.memoryMiB, errors, 'memoryMiB', 'Memory', 128, 16 * 1024 * 1024);
  if (memoryMiB !== undefined && form.hugepages === 'SIZE_1G' && memoryMiB % 1024 !== 0) {
    errors['memoryMiB'] = 'With 1 GiB hugepages, memory must be a multiple of 1024 MiB';
  } else if (memoryMiB !== undefined && form.hugepages === 'SIZE_2M' && memoryMiB % 2 !== 0) {
    errors['memoryMiB'] = 'With 2 MiB hugepages, memory must be a multiple of 2 MiB';
  }
  if (form.cpuPolicy === 'SHARED' && form.threadPolicy !== 'PREFER') {
    errors['threadPolicy'] = 'Thread policy applies to dedicated CPUs only';
  }
  if (form.interfaces.length === 0) errors['interfaces'] = 'Add at least one interface';
  const interfaces = form.interfaces.map((f, i) => convertInterface(f, i, form, errors));
  const macs = form.interfaces.map((f) => f.mac.trim().toLowerCase().replace(/-/g, ':')).filter((m) => m !== '');
  form.interfaces.forEach((f, i) => {
    const m = f.mac.trim().toLowerCase().replace(/-/g, ':');
    if (m !== '' && macs.indexOf(m) !== macs.lastIndexOf(m) && !errors[`interfaces.${i}.mac`])
      errors[`interfaces.${i}.mac`] = 'Two interfaces have the same MAC';
  });
  const pinHost = form.pinHost.trim();
  if (pinHost !== '' && form.avoidHosts.includes(pinHost)) errors['pinHost'] = 'The pinned host is also in the avoid list';

  if (Object.keys(errors).length > 0 || vcpus === undefined || memoryMiB === undefined) return { ok: false, errors };
  const input: VmInput = {
    name,
    vcpus,
    memoryMiB,
    hugepages: form.hugepages,
    cpuPolicy: form.cpuPolicy,
    threadPolicy: form.threadPolicy,
    emulatorThreads: form.emulatorThreads,
    numaPolicy: form.numaPolicy,
    guestVirtio: form.guestVirtio,
    guestVfDriver: form.guestVfDriver,
    interfaces: interfaces.filter((x): x is Iface => x !== undefined),
  };
  if (pinHost !== '') input.pinHost = pinHost;
  if (form.avoidHosts.length > 0) input.avoidHosts = [...form.avoidHosts];
  if (form.group !== '') input.group = form.group;
  return { ok: true, input };
}

/**
 * The preview does not need a real name; use a placeholder so placement can be shown
 * before the user has picked one.
 */
export function formToPreviewInput(form: VmForm): FormResult {
  const r = formToVmInput(form.name.trim() === '' ? { ...form, name: 'preview' } : form);
  return r;
}

/** The guaranteed and the capped rate of an interface (Mbit/s); a cap below the guarantee is refused on the cap's field, as the API does. */
function bandwidthFields(f: InterfaceForm, p: string, errors: FormErrors): { minBandwidthMbps?: number; maxBandwidthMbps?: number } {
  const read = (raw: string, k: 'minBandwidthMbps' | 'maxBandwidthMbps', label: string) =>
    raw.trim() === '' ? undefined : parseIntField(raw, errors, `${p}.${k}`, label, 1, 400_000);
  const minBandwidthMbps = read(f.minBandwidthMbps, 'minBandwidthMbps', 'Bandwidth');
  const maxBandwidthMbps = read(f.maxBandwidthMbps, 'maxBandwidthMbps', 'Bandwidth cap');
  if (minBandwidthMbps !== undefined && maxBandwidthMbps !== undefined && maxBandwidthMbps < minBandwidthMbps)
    errors[`${p}.maxBandwidthMbps`] = 'The cap must be at least the minimum bandwidth';
  return { minBandwidthMbps, maxBandwidthMbps };
}
