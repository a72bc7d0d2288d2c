import { parseArgs } from 'node:util';
import type { OperationState } from '@netpin/client';
import { DRAIN_STRATEGIES, HOST_STATES, OPERATION_STATES, VM_STATES } from './enums';
import {
  GLOBAL_FLAGS,
  GROUP_FLAGS,
  INTERFACE_FLAGS,
  NETWORK_FLAGS,
  NETWORK_UPDATE_FLAGS,
  NIC_ATTACH_FLAGS,
  VM_FLAGS,
  WAIT_FLAGS,
  flagsHelp,
  parseArgsOptions,
  type Flags,
} from './flags';

/** Exit codes; README "CLI" documents them. */
export const EXIT = {
  OK: 0,
  /** The request was valid but did not succeed: operation FAILED, placement rejected, conflict, timeout. */
  FAILED: 1,
  /** Usage or bad input: unknown command or flag, a value that does not parse, BAD_USER_INPUT, NOT_FOUND. */
  USAGE: 2,
  /** The API could not be used: unreachable, token missing or refused, refused config file, server error. */
  API: 3,
} as const;

/** Bad command line: exit 2 with the command's help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandSpec,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Commands that run without the API (no token, no config file). */
const LOCAL_COMMANDS = ['completion'] as const;
export type LocalCommandName = (typeof LOCAL_COMMANDS)[number];
export const isLocalCommand = (name: CommandName): name is LocalCommandName => (LOCAL_COMMANDS as readonly string[]).includes(name);
export type CommandName = ApiCommandName | LocalCommandName;
export type ApiCommandName =
  | 'hosts list'
  | 'hosts show'
  | 'hosts discover'
  | 'hosts drain'
  | 'hosts undrain'
  | 'networks list'
  | 'networks create'
  | 'networks update'
  | 'groups list'
  | 'groups create'
  | 'groups delete'
  | 'vm create'
  | 'vm delete'
  | 'vm start'
  | 'vm stop'
  | 'vm reboot'
  | 'vm migrate'
  | 'vm nic attach'
  | 'vm nic detach'
  | 'vm show'
  | 'vm list'
  | 'preview'
  | 'explain'
  | 'capacity'
  | 'operations watch'
  | 'operations list';

export interface CommandSpec {
  name: CommandName;
  /** Positional arguments, in order, all required. */
  args: string[];
  /** What completion offers for the positional arguments, when they come from a fixed set. */
  argChoices?: readonly string[];
  flags: Flags;
  summary: string;
}

/** The command table: parser, help and shell completion (completion.ts) all read it. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'hosts list',
    args: [],
    flags: {
      state: { type: 'string', value: '<state>', choices: HOST_STATES, help: `only hosts in this state: ${HOST_STATES.join(', ')}` },
      network: { type: 'string', value: '<name>', help: 'only hosts that carry this network' },
    },
    summary: 'hypervisors with state, NUMA nodes, free CPUs and VFs',
  },
  { name: 'hosts show', args: ['host'], flags: {}, summary: 'one host: NUMA nodes, CPUs with roles and owners, NICs, VFs and IRQs' },
  { name: 'hosts discover', args: ['host'], flags: WAIT_FLAGS, summary: 'read the host over SSH and refresh its inventory' },
  {
    name: 'hosts drain',
    args: ['host'],
    flags: {
      strategy: {
        type: 'string',
        value: '<strategy>',
        choices: DRAIN_STRATEGIES,
        help: `how each VM leaves: ${DRAIN_STRATEGIES.join(', ')} (default LIVE_MIGRATE_IF_POSSIBLE)`,
      },
      'max-parallel': { type: 'string', value: '<n>', help: 'VMs moved at the same time (default 4)' },
      ...WAIT_FLAGS,
    },
    summary: 'put the host in maintenance and move every VM away (or stop it)',
  },
  { name: 'hosts undrain', args: ['host'], flags: {}, summary: 'end a drain and take the host out of maintenance' },
  { name: 'networks list', args: [], flags: {}, summary: 'networks and the host NICs that carry them' },
  {
    name: 'networks create',
    args: ['name'],
    flags: NETWORK_FLAGS,
    summary: 'create a network: its kind, bridge or physnet, access VLAN or trunk, VLAN protocol, MTU',
  },
  { name: 'networks update', args: ['name'], flags: NETWORK_UPDATE_FLAGS, summary: "change a network's MTU" },
  { name: 'groups list', args: [], flags: {}, summary: 'affinity groups with their policy and member counts' },
  { name: 'groups create', args: ['name'], flags: GROUP_FLAGS, summary: 'create an affinity group (VMs join it with vm create --group)' },
  {
    name: 'groups delete',
    args: ['group'],
    flags: {},
    summary: 'delete an affinity group (refused while VMs that are not deleted belong to it)',
  },
  {
    name: 'vm create',
    args: [],
    flags: {
      ...VM_FLAGS,
      'idempotency-key': { type: 'string', value: '<key>', help: 'retrying with the same key and input returns the same VM' },
      ...WAIT_FLAGS,
    },
    summary: 'place and provision a VM, then wait until it runs',
  },
  {
    name: 'vm delete',
    args: ['vm'],
    flags: {
      force: {
        type: 'boolean',
        help: 'in any state (provisioning, deleting, failed): its open operations end; an unreachable host is released in the database only',
      },
      ...WAIT_FLAGS,
    },
    summary: 'tear a VM down (by name or id) and release its CPUs and VFs',
  },
  {
    name: 'vm start',
    args: ['vm'],
    flags: WAIT_FLAGS,
    summary: 'start a stopped VM (where it was, or placed anew if it released its resources)',
  },
  {
    name: 'vm stop',
    args: ['vm'],
    flags: {
      release: { type: 'boolean', help: 'give back its CPUs, VFs and host settings (starting it again places it anew)' },
      'shutdown-timeout': {
        type: 'string',
        value: '<seconds>',
        help: 'wait this long for the guest to power off before forcing it off (default 60)',
      },
      ...WAIT_FLAGS,
    },
    summary: 'shut a VM down (ACPI, then forced after the shutdown timeout); it keeps its allocations unless --release',
  },
  { name: 'vm reboot', args: ['vm'], flags: WAIT_FLAGS, summary: 'reboot a running VM (ACPI); it keeps its host, CPUs and VFs' },
  {
    name: 'vm migrate',
    args: ['vm'],
    flags: {
      to: { type: 'string', value: '<host>', help: "target host (default: placement chooses one, never the VM's own)" },
      strategy: {
        type: 'string',
        value: '<strategy>',
        choices: ['LIVE', 'COLD'],
        help: 'LIVE (default: keeps running) or COLD (stop, move, start)',
      },
      preview: { type: 'boolean', help: 'say where it would go and why, or why it cannot move; change nothing' },
      ...WAIT_FLAGS,
    },
    summary: 'move a running VM to another host, with a progress bar of its steps (reserve, unplug, transfer, plug, verify, release)',
  },
  {
    name: 'vm nic attach',
    args: ['vm'],
    flags: { ...NIC_ATTACH_FLAGS, ...WAIT_FLAGS },
    summary: "hot-plug a NIC into a running VM (or a stopped one's definition), placed on its host like a create's",
  },
  {
    name: 'vm nic detach',
    args: ['vm', 'interface'],
    flags: {
      'release-timeout': {
        type: 'string',
        value: '<seconds>',
        help: 'wait this long for the guest to release the device (default 30)',
      },
      ...WAIT_FLAGS,
    },
    summary: 'unplug a NIC (by interface id or MAC) and give back its VF, IRQ and RPS settings',
  },
  { name: 'vm show', args: ['vm'], flags: {}, summary: 'one VM (by name or id) with its placement plan' },
  {
    name: 'vm list',
    args: [],
    flags: {
      state: { type: 'string', value: '<state>', choices: VM_STATES, help: `only VMs in this state: ${VM_STATES.join(', ')}` },
      host: { type: 'string', value: '<name>', help: 'only VMs on this host' },
      all: { type: 'boolean', help: 'DELETED VMs too' },
    },
    summary: 'VMs with state, host and size (DELETED ones with --all or --state DELETED)',
  },
  { name: 'preview', args: [], flags: VM_FLAGS, summary: 'where a VM would go and how, or why nothing fits (exit 1); writes nothing' },
  {
    name: 'explain',
    args: ['host'],
    flags: VM_FLAGS,
    summary: 'every reason one host does or does not fit a VM (exit 1 when it does not)',
  },
  { name: 'capacity', args: [], flags: VM_FLAGS, summary: 'how many more VMs of this shape fit, fleet-wide and per host' },
  {
    name: 'operations watch',
    args: ['id'],
    flags: { timeout: WAIT_FLAGS.timeout },
    summary: 'follow an operation until it finishes (exit 1 when it failed)',
  },
  {
    name: 'operations list',
    args: [],
    flags: {
      state: {
        type: 'string',
        value: '<state>',
        choices: OPERATION_STATES,
        help: `only operations in this state: ${OPERATION_STATES.join(', ')}`,
      },
      kind: { type: 'string', value: '<kind>', help: 'e.g. vm.create, host.discover' },
      limit: { type: 'string', value: '<n>', help: 'how many (default 20)' },
    },
    summary: 'recent operations, newest first',
  },
  {
    name: 'completion',
    args: ['shell'],
    argChoices: ['bash', 'zsh'],
    flags: {},
    summary: 'print the shell completion script for bash or zsh',
  },
];

const GLOBAL_HELP = `Global options:
${flagsHelp(GLOBAL_FLAGS)}

Token: $NETPIN_TOKEN, else "token" in the config file (which must not be readable by others).
Exit codes: 0 ok, 1 operation failed / not placeable / conflict / timeout,
            2 usage or bad input, 3 API unreachable, token missing or refused.`;

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => usageLine(c).length));
  return [
    'netpin - command line for the netpin API (KVM VM networking: placement, NUMA pinning, SR-IOV)',
    '',
    'Usage: netpin <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${usageLine(c).padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
    '',
    'Run `netpin <command> --help` for the options of one command.',
  ].join('\n');
}

function usageLine(c: CommandSpec): string {
  const args = c.args.map((a) => (c.argChoices ? c.argChoices.join('|') : `<${a}>`)).join(' ');
  return `${c.name}${args ? ` ${args}` : ''}`;
}

export function commandHelp(c: CommandSpec): string {
  const options = Object.keys(c.flags).length > 0 ? ['Options:', flagsHelp(c.flags), ''] : [];
  return [`Usage: netpin ${usageLine(c)}${isLocalCommand(c.name) ? '' : ' [options]'}`, '', c.summary, '', ...options, GLOBAL_HELP].join(
    '\n',
  );
}

export interface GlobalFlags {
  json: boolean;
  config?: string;
  url?: string;
}

/** Flag values as parseArgs returns them (repeatable flags as arrays). */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One --net and the NIC flags that followed it. */
export interface NetFlags {
  spec: string;
  options: Partial<Record<keyof typeof INTERFACE_FLAGS, string | true>>;
}

export type ParsedCli =
  | { kind: 'help'; text: string; json: boolean }
  | { kind: 'command'; command: CommandSpec; args: string[]; values: FlagValues; nets: NetFlags[]; global: GlobalFlags };

const wantsHelp = (rest: string[]): boolean => rest.includes('--help') || rest.includes('-h');

/** Find the command (global flags may come before it), then parse its flags strictly. */
export function parseCli(argv: string[]): ParsedCli {
  const pre: string[] = [];
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    pre.push(argv[i]);
    if ((argv[i] === '--config' || argv[i] === '--url') && i + 1 < argv.length) pre.push(argv[++i]);
  }
  const first = argv[i];
  if (first === undefined || first === 'help') {
    const topic = argv.slice(i + 1).filter((a) => !a.startsWith('-'));
    if (topic.length > 0) return parseCli([...topic, '--help']);
    if (first === undefined && !wantsHelp(pre) && pre.some((a) => a !== '--json'))
      throw new UsageError(`no command given (${pre.join(' ')})`);
    return { kind: 'help', text: mainHelp(), json: pre.includes('--json') };
  }
  const found = findCommand(argv, i, pre);
  if ('kind' in found) return found;
  const { command, rest } = found;
  if (wantsHelp(rest)) return { kind: 'help', text: commandHelp(command), json: rest.includes('--json') };
  return parseFlags(command, rest);
}

/** The command named from argv[i] (one word, or more for a group such as `vm nic`), or the group's help. */
function findCommand(argv: string[], i: number, pre: string[]): { command: CommandSpec; rest: string[] } | ParsedCli {
  let prefix = argv[i];
  for (let j = i + 1; ; j++) {
    const command = COMMANDS.find((c) => c.name === prefix);
    if (command) return { command, rest: [...pre, ...argv.slice(j)] };
    const group = COMMANDS.filter((c) => c.name.startsWith(`${prefix} `));
    if (group.length === 0) {
      const parent = prefix.split(' ').slice(0, -1).join(' ');
      if (!parent) throw new UsageError(`unknown command "${prefix}"; run \`netpin --help\``);
      const siblings = COMMANDS.filter((c) => c.name.startsWith(`${parent} `));
      throw new UsageError(`unknown command "${prefix}"; try: ${siblings.map((c) => c.name).join(', ')}`);
    }
    const next = argv[j];
    if (next === undefined || next.startsWith('-')) {
      const rest = [...pre, ...argv.slice(j)];
      if (wantsHelp(rest))
        return {
          kind: 'help',
          text: group.map((c) => `netpin ${usageLine(c)}\n    ${c.summary}`).join('\n'),
          json: rest.includes('--json'),
        };
      const subs = [...new Set(group.map((c) => c.name.slice(prefix.length + 1).split(' ')[0]))];
      throw new UsageError(`${prefix}: missing subcommand (${subs.join(', ')})`);
    }
    prefix = `${prefix} ${next}`;
  }
}

function parseFlags(command: CommandSpec, rest: string[]): ParsedCli {
  let parsed: ReturnType<typeof parseArgs<{ options: ReturnType<typeof parseArgsOptions>; tokens: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({
      args: rest,
      options: parseArgsOptions({ ...GLOBAL_FLAGS, ...command.flags }),
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw new UsageError(`${command.name}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`, command);
  }
  const args = parsed.positionals;
  if (args.length < command.args.length) throw new UsageError(`${command.name}: missing <${command.args[args.length]}>`, command);
  if (args.length > command.args.length)
    throw new UsageError(`${command.name}: unexpected argument "${args[command.args.length]}"`, command);
  if (command.argChoices && !command.argChoices.includes(args[0]))
    throw new UsageError(`${command.name}: expected ${command.argChoices.join('|')}, got "${args[0]}"`, command);
  const values = parsed.values as FlagValues;
  return {
    kind: 'command',
    command,
    args,
    values,
    nets: groupInterfaces(parsed.tokens, command),
    global: { json: values.json === true, config: values.config as string | undefined, url: values.url as string | undefined },
  };
}

/**
 * Ties each NIC flag to the --net before it, so `--net a --vlan 10 --net b --vlan 20` gives
 * two NICs with their own VLAN. A NIC flag before any --net, or twice for one, is refused.
 */
function groupInterfaces(tokens: ReturnType<typeof parseArgs>['tokens'], command: CommandSpec): NetFlags[] {
  const nets: NetFlags[] = [];
  // vm nic attach names one NIC with flags of its own, no --net
  if (!('net' in command.flags)) return nets;
  for (const t of tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (t.name === 'net') {
      nets.push({ spec: t.value ?? '', options: {} });
      continue;
    }
    if (!(t.name in INTERFACE_FLAGS)) continue;
    const name = t.name as keyof typeof INTERFACE_FLAGS;
    const current = nets.at(-1);
    if (!current) throw new UsageError(`${command.name}: ${t.rawName} applies to the --net before it; give --net <network> first`, command);
    if (current.options[name] !== undefined)
      throw new UsageError(`${command.name}: ${t.rawName} given twice for --net ${current.spec}`, command);
    current.options[name] = t.value ?? true;
  }
  return nets;
}

// --- values ------------------------------------------------------------------------------

export function parseCount(flag: string, raw: string | undefined, opts: { min?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${flag}: expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${flag}: must be ≥ ${opts.min}, got ${n}`);
  return n;
}

export function parseOperationState(raw: string | undefined): OperationState | undefined {
  if (raw === undefined) return undefined;
  const s = raw.toUpperCase() as OperationState;
  if (!OPERATION_STATES.includes(s)) throw new UsageError(`--state: expected ${OPERATION_STATES.join('|')}, got "${raw}"`);
  return s;
}

/** --timeout in seconds -> ms (default 10 minutes). */
export function parseTimeoutMs(raw: string | undefined): number {
  if (raw === undefined) return 600_000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout: expected seconds > 0, got "${raw}"`);
  return Math.round(s * 1000);
}
