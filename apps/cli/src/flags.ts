import type { ParseArgsConfig } from 'node:util';
import {
  CPU_POLICIES,
  EMULATOR_THREAD_POLICIES,
  GROUP_ENFORCEMENTS,
  GROUP_POLICIES,
  HUGEPAGE_SIZES,
  MACVTAP_MODES,
  NATIVE_VLAN_MODES,
  NETWORK_KINDS,
  NUMA_POLICIES,
  VLAN_PROTOCOLS,
  THREAD_POLICIES,
} from '@netpin/contracts/enums';
import { DATAPATH_CHOICES, cliValue } from './enums';

/**
 * One flag of the command table. The parser (node:util parseArgs), the help text and the
 * shell completion scripts are all generated from these, so they cannot disagree.
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Placeholder in help: `<n>`; string flags only. */
  value?: string;
  /** The values completion offers and help lists (matched case-insensitively). */
  choices?: readonly string[];
  multiple?: boolean;
  short?: string;
  /** Completion offers file names. */
  file?: boolean;
  /** Applies to the --net given before it on the command line. */
  perInterface?: boolean;
  help: string;
}

export type Flags = Readonly<Record<string, FlagSpec>>;

export const GLOBAL_FLAGS = {
  json: { type: 'boolean', help: 'machine-readable JSON on stdout (errors too: {"error": ...})' },
  url: { type: 'string', value: '<url>', help: 'API base URL (default: $NETPIN_API_URL, config file, http://127.0.0.1:3000)' },
  config: { type: 'string', value: '<file>', file: true, help: 'config file {"url", "token"} (default ~/.config/netpin/config.json)' },
  help: { type: 'boolean', short: 'h', help: 'help for a command' },
} as const satisfies Flags;

export const WAIT_FLAGS = {
  'no-wait': { type: 'boolean', help: 'return once queued' },
  timeout: { type: 'string', value: '<seconds>', help: 'give up waiting after this long (default 600)' },
} as const satisfies Flags;

/** Flags that describe one guest NIC: each applies to the --net before it. */
export const INTERFACE_FLAGS = {
  vlan: {
    type: 'string',
    value: '<id>',
    multiple: true,
    perInterface: true,
    help: 'VLAN id 0-4094 of that NIC (a VF or an OVS port tags it)',
  },
  mac: { type: 'string', value: '<mac>', multiple: true, perInterface: true, help: 'MAC address of that NIC (default: generated)' },
  'min-bandwidth': {
    type: 'string',
    value: '<rate>',
    multiple: true,
    perInterface: true,
    help: "bandwidth promised to that NIC from its host NIC's speed: Mbit/s, or 500M, 10G",
  },
  'max-bandwidth': {
    type: 'string',
    value: '<rate>',
    multiple: true,
    perInterface: true,
    help: "that NIC's transmit cap (VF max_tx_rate, or libvirt <bandwidth> on a tap): Mbit/s, or 500M, 10G",
  },
  'live-migratable': {
    type: 'boolean',
    multiple: true,
    perInterface: true,
    help: 'that NIC must survive live migration (SR-IOV gets a virtio failover backup)',
  },
} as const satisfies Flags;

/** `vm nic attach`: the one NIC it adds, the fields of the API's VmInterfaceInput (a failover pair cannot be hot-plugged). */
export const NIC_ATTACH_FLAGS = {
  network: { type: 'string', value: '<name|id>', help: 'network of the new NIC (required)' },
  datapath: {
    type: 'string',
    value: '<datapath>',
    choices: DATAPATH_CHOICES,
    help: `how it reaches the network (default auto: the fastest one the VM's host can give it)\ndatapath: ${DATAPATH_CHOICES.join(', ')}`,
  },
  vlan: { type: 'string', value: '<id>', help: 'VLAN id 0-4094 (a VF or an OVS port tags it)' },
  mac: { type: 'string', value: '<mac>', help: 'MAC address (default: generated)' },
  'min-bandwidth': { type: 'string', value: '<rate>', help: "bandwidth promised from its host NIC's speed: Mbit/s, or 500M, 10G" },
  'max-bandwidth': {
    type: 'string',
    value: '<rate>',
    help: 'transmit cap (VF max_tx_rate, or libvirt <bandwidth> on a tap): Mbit/s, or 500M, 10G',
  },
} as const satisfies Flags;

/** `networks update <name>`: what can change on a network in use. */
export const NETWORK_UPDATE_FLAGS = {
  mtu: { type: 'string', value: '<n>', help: "the network's MTU (68-65535); 'default' = the host's default" },
} as const satisfies Flags;

/** `networks create <name>`. */
export const NETWORK_FLAGS = {
  kind: { type: 'string', choices: NETWORK_KINDS.map(cliValue), help: 'what guest interfaces attach to (required)' },
  bridge: { type: 'string', value: '<name>', help: 'Linux or OVS bridge (linux-bridge, ovs-bridge)' },
  physnet: { type: 'string', value: '<label>', help: 'physical network label (sriov-physnet)' },
  vlan: { type: 'string', value: '<id>', help: 'access VLAN (0-4094)' },
  'vlan-protocol': {
    type: 'string',
    choices: VLAN_PROTOCOLS.map(cliValue),
    help: "the VLAN's ethertype: dot1q, or dot1ad (QinQ, VFs only)",
  },
  trunk: { type: 'string', value: '<id,id,...>', help: 'a VLAN trunk instead of an access VLAN (1-4094 each; OVS ports only)' },
  'native-vlan': { type: 'string', value: '<id>', help: "the trunk's native VLAN" },
  'native-mode': { type: 'string', choices: NATIVE_VLAN_MODES.map(cliValue), help: 'the native VLAN untagged (default) or tagged' },
  'macvtap-mode': { type: 'string', choices: [...MACVTAP_MODES], help: 'macvtap mode (macvtap, sriov-physnet)' },
  mtu: { type: 'string', value: '<n>', help: "the network's MTU (68-65535, jumbo frames)" },
} as const satisfies Flags;

export const GROUP_FLAGS = {
  policy: { type: 'string', choices: GROUP_POLICIES.map(cliValue), help: 'keep the members on one host, or apart (required)' },
  enforcement: {
    type: 'string',
    choices: GROUP_ENFORCEMENTS.map(cliValue),
    help: 'hard: hosts breaking the rule are refused; soft: only weighed down (default hard)',
  },
  'max-per-host': { type: 'string', value: '<n>', help: 'hard anti-affinity: members one host may hold (default 1)' },
} as const satisfies Flags;

export const VM_FLAGS = {
  name: { type: 'string', value: '<name>', help: 'VM name (preview/explain/capacity: optional)' },
  vcpus: { type: 'string', value: '<n>', help: 'number of vCPUs' },
  memory: { type: 'string', value: '<size>', help: 'memory: MiB, or with a unit: 512M, 4G' },
  net: {
    type: 'string',
    value: '<network>[:<datapath>]',
    multiple: true,
    help: `a guest NIC (repeat for more); the NIC flags below apply to the --net before them\ndatapath: ${DATAPATH_CHOICES.join(', ')}`,
  },
  ...INTERFACE_FLAGS,
  numa: { type: 'string', choices: NUMA_POLICIES.map(cliValue), help: "keep CPUs and memory on the NIC's NUMA node (default required)" },
  hugepages: { type: 'string', choices: HUGEPAGE_SIZES.map(cliValue), help: 'back guest memory with hugepages (default none)' },
  'cpu-policy': {
    type: 'string',
    choices: CPU_POLICIES.map(cliValue),
    help: 'own host CPUs, or float over unowned ones (default dedicated)',
  },
  'thread-policy': {
    type: 'string',
    choices: THREAD_POLICIES.map(cliValue),
    help: 'hyperthread siblings of dedicated vCPUs (default prefer)',
  },
  'emulator-threads': {
    type: 'string',
    choices: EMULATOR_THREAD_POLICIES.map(cliValue),
    help: "QEMU's emulator thread: on the vCPUs' CPUs, or a CPU of its own (default share)",
  },
  host: { type: 'string', value: '<name>', help: 'place on this host only' },
  group: { type: 'string', value: '<group>', help: 'join this affinity group: its policy filters (hard) or weighs (soft) hosts' },
  avoid: { type: 'string', value: '<name>', multiple: true, help: 'never place on this host (repeatable)' },
  'no-virtio': { type: 'boolean', help: 'the guest has no virtio drivers (emulated NICs only)' },
  'no-vf-driver': { type: 'boolean', help: 'the guest has no driver for SR-IOV VFs' },
} as const satisfies Flags;

/** node:util parseArgs options for a flag table. */
export function parseArgsOptions(flags: Flags): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) },
    ]),
  );
}

const HELP_COLUMN = 25;

/** `  --name <name>            VM name`, one flag per line, continuation lines aligned. */
export function flagsHelp(flags: Flags): string {
  return Object.entries(flags)
    .map(([name, f]) => {
      const value = f.value ?? (f.choices ? f.choices.join('|') : '');
      const left = `${f.short ? `-${f.short}, ` : ''}--${name}${value ? ` ${value}` : ''}`;
      const [first, ...rest] = f.help.split('\n');
      const head = left.length < HELP_COLUMN ? left.padEnd(HELP_COLUMN) : `${left}  `;
      return [`  ${head}${first}`, ...rest.map((l) => `${' '.repeat(HELP_COLUMN + 2)}${l}`)].join('\n');
    })
    .join('\n');
}
