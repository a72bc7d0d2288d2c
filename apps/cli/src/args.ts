import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DATAPATH_REGISTRY, DATAPATHS_BY_RANK, datapathForAlias } from '@netpin/contracts/datapaths';
import type { DatapathRequest, HugepageSize, NumaPolicy, OperationState, VmInput, VmInterfaceInput } from '@netpin/client';

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

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  config: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const WAIT_OPTIONS = {
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies Options;

const VM_OPTIONS = {
  name: { type: 'string' },
  vcpus: { type: 'string' },
  memory: { type: 'string' },
  net: { type: 'string', multiple: true },
  numa: { type: 'string' },
  hugepages: { type: 'string' },
  'cpu-policy': { type: 'string' },
  host: { type: 'string' },
  avoid: { type: 'string', multiple: true },
  'no-virtio': { type: 'boolean' },
} as const satisfies Options;

const CANONICAL_ALIASES = DATAPATHS_BY_RANK.map((d) => DATAPATH_REGISTRY[d].cli.aliases[0]);

const VM_HELP = `  --name <name>            VM name (preview/explain/capacity: optional)
  --vcpus <n>              number of vCPUs
  --memory <size>          memory: MiB, or with a unit: 512M, 4G
  --net <network>[:<datapath>]  a guest NIC (repeat for more); datapath: auto,
                           ${CANONICAL_ALIASES.join(', ')}
  --numa required|preferred|none   keep CPUs and memory on the NIC's NUMA node (default required)
  --hugepages none|2M|1G   back guest memory with hugepages
  --cpu-policy dedicated|shared
  --host <name>            place on this host only
  --avoid <name>           never place on this host (repeatable)
  --no-virtio              the guest has no virtio drivers (emulated NICs only)`;

export type CommandName =
  | 'hosts list'
  | 'hosts show'
  | 'hosts discover'
  | 'networks list'
  | 'vm create'
  | 'vm delete'
  | 'vm show'
  | 'vm list'
  | 'preview'
  | 'explain'
  | 'capacity'
  | 'operations watch'
  | 'operations list';

export interface CommandSpec {
  name: CommandName;
  /** Positional arguments, in order: `<name>` required. */
  args: string[];
  options: Options;
  summary: string;
  help: string;
}

const COMMANDS: CommandSpec[] = [
  {
    name: 'hosts list',
    args: [],
    options: { state: { type: 'string' }, network: { type: 'string' } },
    summary: 'hypervisors with state, NUMA nodes, free CPUs and VFs',
    help: '  --state <state>          only hosts in this state (READY, MAINTENANCE, ...)\n  --network <name>         only hosts that carry this network',
  },
  {
    name: 'hosts show',
    args: ['host'],
    options: {},
    summary: 'one host: NUMA nodes, CPUs with roles and owners, NICs, VFs and IRQs',
    help: '',
  },
  {
    name: 'hosts discover',
    args: ['host'],
    options: WAIT_OPTIONS,
    summary: 'read the host over SSH and refresh its inventory',
    help: '  --no-wait                return once queued\n  --timeout <seconds>      give up waiting after this long (default 600)',
  },
  { name: 'networks list', args: [], options: {}, summary: 'networks and the host NICs that carry them', help: '' },
  {
    name: 'vm create',
    args: [],
    options: { ...VM_OPTIONS, ...WAIT_OPTIONS, 'idempotency-key': { type: 'string' } },
    summary: 'place and provision a VM, then wait until it runs',
    help: `${VM_HELP}\n  --idempotency-key <key>  retrying with the same key and input returns the same VM\n  --no-wait                return once accepted\n  --timeout <seconds>      give up waiting after this long (default 600)`,
  },
  {
    name: 'vm delete',
    args: ['vm'],
    options: WAIT_OPTIONS,
    summary: 'tear a VM down (by name or id) and release its CPUs and VFs',
    help: '  --no-wait                return once queued\n  --timeout <seconds>      give up waiting after this long (default 600)',
  },
  { name: 'vm show', args: ['vm'], options: {}, summary: 'one VM (by name or id) with its placement plan', help: '' },
  {
    name: 'vm list',
    args: [],
    options: { state: { type: 'string' }, host: { type: 'string' }, all: { type: 'boolean' } },
    summary: 'VMs with state, host and size (DELETED ones with --all or --state DELETED)',
    help: '  --state <state>          only VMs in this state (RUNNING, FAILED, DELETED, ...)\n  --host <name>            only VMs on this host\n  --all                    DELETED VMs too',
  },
  {
    name: 'preview',
    args: [],
    options: VM_OPTIONS,
    summary: 'where a VM would go and how, or why nothing fits (exit 1); writes nothing',
    help: VM_HELP,
  },
  {
    name: 'explain',
    args: ['host'],
    options: VM_OPTIONS,
    summary: 'every reason one host does or does not fit a VM (exit 1 when it does not)',
    help: VM_HELP,
  },
  {
    name: 'capacity',
    args: [],
    options: VM_OPTIONS,
    summary: 'how many more VMs of this shape fit, fleet-wide and per host',
    help: VM_HELP,
  },
  {
    name: 'operations watch',
    args: ['id'],
    options: { timeout: { type: 'string' } },
    summary: 'follow an operation until it finishes (exit 1 when it failed)',
    help: '  --timeout <seconds>      give up waiting after this long (default 600)',
  },
  {
    name: 'operations list',
    args: [],
    options: { state: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' } },
    summary: 'recent operations, newest first',
    help: '  --state <state>          QUEUED, RUNNING, SUCCEEDED or FAILED\n  --kind <kind>            e.g. vm.create, host.discover\n  --limit <n>              how many (default 20)',
  },
];

const GLOBAL_HELP = `Global options:
  --json                   machine-readable JSON on stdout (errors too: {"error": ...})
  --url <url>              API base URL (default: $NETPIN_API_URL, config file, http://127.0.0.1:3000)
  --config <file>          config file {"url", "token"} (default ~/.config/netpin/config.json)
  -h, --help               help for a command

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
  const args = c.args.map((a) => `<${a}>`).join(' ');
  return `${c.name}${args ? ` ${args}` : ''}`;
}

export function commandHelp(c: CommandSpec): string {
  return [`Usage: netpin ${usageLine(c)} [options]`, '', c.summary, '', ...(c.help ? ['Options:', c.help, ''] : []), GLOBAL_HELP].join(
    '\n',
  );
}

export interface GlobalFlags {
  json: boolean;
  config?: string;
  url?: string;
}

export type ParsedCli =
  | { kind: 'help'; text: string; json: boolean }
  | {
      kind: 'command';
      command: CommandSpec;
      args: string[];
      values: Record<string, string | boolean | string[] | undefined>;
      global: GlobalFlags;
    };

/** Find the command (global flags may come before it), then parse its flags strictly. */
export function parseCli(argv: string[]): ParsedCli {
  const pre: string[] = [];
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    pre.push(argv[i]);
    if ((argv[i] === '--config' || argv[i] === '--url') && i + 1 < argv.length) pre.push(argv[++i]);
  }
  const wantsHelp = (rest: string[]): boolean => rest.includes('--help') || rest.includes('-h');
  const first = argv[i];
  if (first === undefined || first === 'help') {
    const topic = argv.slice(i + 1).filter((a) => !a.startsWith('-'));
    if (topic.length > 0) return parseCli([...topic, '--help']);
    if (first === undefined && !wantsHelp(pre) && pre.some((a) => a !== '--json'))
      throw new UsageError(`no command given (${pre.join(' ')})`);
    return { kind: 'help', text: mainHelp(), json: pre.includes('--json') };
  }
  let command = COMMANDS.find((c) => c.name === first);
  let rest = [...pre, ...argv.slice(i + 1)];
  if (!command) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length === 0) throw new UsageError(`unknown command "${first}"; run \`netpin --help\``);
    const second = argv[i + 1];
    if (second === undefined || second.startsWith('-')) {
      if (wantsHelp(rest))
        return {
          kind: 'help',
          text: group.map((c) => `netpin ${usageLine(c)}\n    ${c.summary}`).join('\n'),
          json: rest.includes('--json'),
        };
      throw new UsageError(`${first}: missing subcommand (${group.map((c) => c.name.split(' ')[1]).join(', ')})`);
    }
    command = group.find((c) => c.name === `${first} ${second}`);
    if (!command) throw new UsageError(`unknown command "${first} ${second}"; try: ${group.map((c) => c.name).join(', ')}`);
    rest = [...pre, ...argv.slice(i + 2)];
  }
  if (wantsHelp(rest)) return { kind: 'help', text: commandHelp(command), json: rest.includes('--json') };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command.name}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`, command);
  }
  const args = parsed.positionals;
  if (args.length < command.args.length) throw new UsageError(`${command.name}: missing <${command.args[args.length]}>`, command);
  if (args.length > command.args.length)
    throw new UsageError(`${command.name}: unexpected argument "${args[command.args.length]}"`, command);
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  return {
    kind: 'command',
    command,
    args,
    values,
    global: { json: values.json === true, config: values.config as string | undefined, url: values.url as string | undefined },
  };
}

// --- values ------------------------------------------------------------------------------

export function parseCount(flag: string, raw: string | undefined, opts: { min?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${flag}: expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`--${flag}: must be ≥ ${opts.min}, got ${n}`);
  return n;
}

/** 2048, 2048M, 2048MiB, 4G, 4GiB, 1T -> MiB. */
export function parseMemoryMiB(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|mi|mib|mb|g|gi|gib|gb|t|ti|tib|tb)?\s*$/i.exec(raw);
  if (!m) throw new UsageError(`--memory: expected MiB or a size like 512M or 4G, got "${raw}"`);
  const unit = (m[2] ?? 'm').toLowerCase()[0];
  const mib = Number(m[1]) * (unit === 'g' ? 1024 : unit === 't' ? 1024 * 1024 : 1);
  if (!Number.isInteger(mib)) throw new UsageError(`--memory: ${raw} is not a whole number of MiB`);
  return mib;
}

const DATAPATH_ALIASES = DATAPATHS_BY_RANK.flatMap((d) => DATAPATH_REGISTRY[d].cli.aliases);
/** `physnet0`, `physnet0:sriov`, `tenant-br:VHOST_BRIDGE`. */
export function parseNet(raw: string): VmInterfaceInput {
  const [network, datapath, ...extra] = raw.split(':');
  if (!network || extra.length > 0) throw new UsageError(`--net: expected <network>[:<datapath>], got "${raw}"`);
  if (datapath === undefined) return { network };
  const dp: DatapathRequest | undefined = datapath.toLowerCase() === 'auto' ? 'AUTO' : datapathForAlias(datapath);
  if (!dp) throw new UsageError(`--net ${raw}: unknown datapath "${datapath}" (auto, ${DATAPATH_ALIASES.join(', ')})`);
  return { network, datapath: dp };
}

function oneOf<T extends string>(flag: string, raw: string | undefined, map: Record<string, T>): T | undefined {
  if (raw === undefined) return undefined;
  const v = map[raw.toLowerCase()];
  if (!v) throw new UsageError(`--${flag}: expected ${Object.keys(map).join('|')}, got "${raw}"`);
  return v;
}

/**
 * The VmInput of vm create / preview / explain / capacity. Only syntax is checked here:
 * ranges (vcpus ≥ 1, memory, names) are the API's to judge, so its message names the field.
 */
export function vmInputFromFlags(
  values: Record<string, string | boolean | string[] | undefined>,
  opts: { nameRequired: boolean },
): VmInput {
  const name = values.name as string | undefined;
  if (opts.nameRequired && name === undefined) throw new UsageError('--name is required');
  const vcpus = parseCount('vcpus', values.vcpus as string | undefined);
  if (vcpus === undefined) throw new UsageError('--vcpus is required');
  const memory = values.memory as string | undefined;
  if (memory === undefined) throw new UsageError('--memory is required');
  const input: VmInput = { name: name ?? 'preview', vcpus, memoryMiB: parseMemoryMiB(memory) };
  const nets = (values.net as string[] | undefined) ?? [];
  if (nets.length > 0) input.interfaces = nets.map(parseNet);
  const numa = oneOf<NumaPolicy>('numa', values.numa as string | undefined, { required: 'REQUIRED', preferred: 'PREFERRED', none: 'NONE' });
  if (numa) input.numaPolicy = numa;
  const hp = oneOf<HugepageSize>('hugepages', values.hugepages as string | undefined, { none: 'NONE', '2m': 'SIZE_2M', '1g': 'SIZE_1G' });
  if (hp) input.hugepages = hp;
  const cpu = oneOf('cpu-policy', values['cpu-policy'] as string | undefined, { dedicated: 'DEDICATED', shared: 'SHARED' } as const);
  if (cpu) input.cpuPolicy = cpu;
  if (typeof values.host === 'string') input.pinHost = values.host;
  const avoid = values.avoid as string[] | undefined;
  if (avoid?.length) input.avoidHosts = avoid;
  if (values['no-virtio'] === true) input.guestVirtio = false;
  return input;
}

const OPERATION_STATES: readonly OperationState[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'];

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
