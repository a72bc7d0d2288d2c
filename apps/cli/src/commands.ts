import { type NetpinClient, type Operation } from '@netpin/client';
import {
  EXIT,
  UsageError,
  parseCount,
  parseOperationState,
  parseTimeoutMs,
  type ApiCommandName,
  type FlagValues,
  type LocalCommandName,
  type NetFlags,
} from './args';
import { completionScript } from './completion';
import { DRAIN_STRATEGIES, HOST_STATES, VM_STATES } from './enums';
import {
  formatCapacity,
  formatExplanation,
  formatGroups,
  formatNetworks,
  formatOperation,
  formatOperationList,
  formatPreview,
  formatVm,
  operationLabel,
  formatVmList,
  formatDrainItems,
} from './format';
import { formatHost, formatHostList } from './format-host';
import { groupInputFromFlags } from './group-input';
import { networkInputFromFlags, networkUpdateFromFlags } from './network-input';
import { formatMigrationPreview } from './format-migration';
import { addedIndex, findInterface, formatNic } from './format-nic';
import { createProgress, type ProgressStream } from './progress';
import { nicInputFromFlags, vmInputFromFlags } from './vm-input';

export interface CommandContext {
  client: NetpinClient;
  args: string[];
  values: FlagValues;
  /** Each --net with the NIC flags that followed it. */
  nets: NetFlags[];
  json: boolean;
  stderr: ProgressStream;
  /** Aborted on Ctrl-C: waits stop, the operation itself goes on. */
  signal: AbortSignal;
}

/** What a command produced: the text for people, the value for --json, the exit code. */
export interface CommandResult {
  exit: number;
  text: string;
  json: unknown;
}

const ok = (text: string, json: unknown): CommandResult => ({ exit: EXIT.OK, text, json });

function enumFlag<T extends string>(flag: string, raw: unknown, allowed: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  const v = String(raw).toUpperCase() as T;
  if (!allowed.includes(v)) throw new UsageError(`--${flag}: expected ${allowed.join('|')}, got "${String(raw)}"`);
  return v;
}

/** A power action queued: wait for it (unless --no-wait) and say what state the VM is in now. */
async function powerResult(ctx: CommandContext, vm: { id: string; name: string }, queued: Operation, verb: string): Promise<CommandResult> {
  if (ctx.values['no-wait'] === true)
    return ok(`${verb} of vm ${vm.name} queued: operation ${queued.id}`, { vm: { id: vm.id, name: vm.name }, operation: queued });
  const operation = await follow(ctx, queued);
  const after = await ctx.client.getVm(vm.id);
  return ok(`vm ${vm.name} (${vm.id}) ${after.state.toLowerCase()}`, { vm: after, operation });
}

/** Wait for an operation with a progress display; rejects like NetpinClient.waitForOperation. */
async function follow(ctx: CommandContext, op: Operation): Promise<Operation> {
  const progress = createProgress(ctx.stderr, { quiet: ctx.json, label: operationLabel(op) });
  try {
    return await ctx.client.waitForOperation(op.id, {
      onProgress: (o) => progress.update(o),
      timeoutMs: parseTimeoutMs(ctx.values.timeout as string | undefined),
      signal: ctx.signal,
    });
  } finally {
    progress.stop();
  }
}

async function hostByName(client: NetpinClient, name: string) {
  return client.getHost({ name });
}

const handlers: Record<ApiCommandName, (ctx: CommandContext) => Promise<CommandResult>> = {
  async 'hosts list'(ctx) {
    const hosts = await ctx.client.listHosts({
      filter: { state: enumFlag('state', ctx.values.state, HOST_STATES), network: ctx.values.network as string | undefined },
    });
    return ok(formatHostList(hosts), hosts);
  },

  async 'hosts show'(ctx) {
    const host = await hostByName(ctx.client, ctx.args[0]);
    return ok(formatHost(host), host);
  },

  async 'hosts drain'(ctx) {
    const host = await hostByName(ctx.client, ctx.args[0]);
    const strategy = enumFlag('strategy', ctx.values.strategy, DRAIN_STRATEGIES);
    const maxParallel = parseCount('max-parallel', ctx.values['max-parallel'] as string | undefined, { min: 1 });
    const queued = await ctx.client.drainHost(host.id, {
      ...(strategy === undefined ? {} : { strategy }),
      ...(maxParallel === undefined ? {} : { maxParallel }),
    });
    if (ctx.values['no-wait'] === true) return ok(`drain of ${host.name} queued: operation ${queued.id}`, { operation: queued });
    const operation = await follow(ctx, queued);
    const resultJson = await ctx.client.operationResult(operation.id);
    return ok(`${host.name} drained and in maintenance\n${formatDrainItems(resultJson)}`, { operation, resultJson });
  },

  async 'hosts undrain'(ctx) {
    const host = await hostByName(ctx.client, ctx.args[0]);
    const after = await ctx.client.undrainHost(host.id);
    return ok(`${after.name} out of maintenance (${after.state.toLowerCase()})`, after);
  },

  async 'hosts discover'(ctx) {
    const host = await hostByName(ctx.client, ctx.args[0]);
    const queued = await ctx.client.discoverHost(host.id);
    if (ctx.values['no-wait'] === true) return ok(`discovery of ${host.name} queued: operation ${queued.id}`, { operation: queued });
    const operation = await follow(ctx, queued);
    const after = await ctx.client.getHost({ id: host.id });
    const cpus = after.numaNodes.reduce((s, n) => s + n.cpus.length, 0);
    const vfs = after.nics.reduce((s, n) => s + n.vfs.length, 0);
    return ok(
      `host ${after.name} ${after.state}: ${after.numaNodes.length} NUMA node(s), ${cpus} CPUs, ${after.nics.length} NIC(s), ${vfs} VF(s)`,
      { operation, host: after },
    );
  },

  async 'networks list'(ctx) {
    const networks = await ctx.client.networks();
    return ok(formatNetworks(networks), networks);
  },

  async 'groups list'(ctx) {
    const groups = await ctx.client.groups();
    return ok(formatGroups(groups), groups);
  },

  async 'networks create'(ctx) {
    const network = await ctx.client.createNetwork(networkInputFromFlags(ctx.args[0], ctx.values));
    return ok(formatNetworks([network]), network);
  },

  async 'networks update'(ctx) {
    const network = await ctx.client.updateNetwork(networkUpdateFromFlags(ctx.args[0], ctx.values));
    return ok(formatNetworks([network]), network);
  },

  async 'groups create'(ctx) {
    const group = await ctx.client.createGroup(groupInputFromFlags(ctx.args[0], ctx.values));
    return ok(formatGroups([group]), group);
  },

  async 'groups delete'(ctx) {
    const group = await ctx.client.deleteGroup(ctx.args[0]);
    return ok(`group ${group.name} deleted`, group);
  },

  async 'vm create'(ctx) {
    const input = vmInputFromFlags(ctx, { nameRequired: true });
    const created = await ctx.client.createVm(input, { idempotencyKey: ctx.values['idempotency-key'] as string | undefined });
    if (ctx.values['no-wait'] === true)
      return ok(`vm ${created.vm.name} (${created.vm.id}) accepted: operation ${created.operation.id}`, created);
    if (!ctx.json) ctx.stderr.write(`vm ${created.vm.name} (${created.vm.id}) accepted, operation ${created.operation.id}\n`);
    const operation = await follow(ctx, created.operation);
    const vm = await ctx.client.getVm(created.vm.id);
    return ok(formatVm(vm), { vm, operation });
  },

  async 'vm delete'(ctx) {
    const vm = await ctx.client.findVm(ctx.args[0]);
    const queued = await ctx.client.deleteVm(vm.id, { force: ctx.values.force === true });
    if (ctx.values['no-wait'] === true)
      return ok(`deletion of vm ${vm.name} queued: operation ${queued.id}`, { vm: { id: vm.id, name: vm.name }, operation: queued });
    const operation = await follow(ctx, queued);
    const after = await ctx.client.getVm(vm.id);
    return ok(`vm ${vm.name} (${vm.id}) ${after.state.toLowerCase()}`, { vm: after, operation });
  },

  async 'vm start'(ctx) {
    const vm = await ctx.client.findVm(ctx.args[0]);
    return powerResult(ctx, vm, await ctx.client.startVm(vm.id), 'start');
  },

  async 'vm stop'(ctx) {
    const vm = await ctx.client.findVm(ctx.args[0]);
    const timeoutSeconds = parseCount('shutdown-timeout', ctx.values['shutdown-timeout'] as string | undefined, { min: 0 });
    const queued = await ctx.client.stopVm(vm.id, {
      release: ctx.values.release === true,
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    });
    return powerResult(ctx, vm, queued, 'stop');
  },

  async 'vm reboot'(ctx) {
    const vm = await ctx.client.findVm(ctx.args[0]);
    return powerResult(ctx, vm, await ctx.client.rebootVm(vm.id), 'reboot');
  },

  async 'vm migrate'(ctx) {
    const vm = await ctx.client.findVm(ctx.args[0]);
    const strategy = enumFlag('strategy', ctx.values.strategy, ['LIVE', 'COLD'] as const);
    const input = { ...(typeof ctx.values.to === 'string' ? { targetHost: ctx.values.to } : {}), ...(strategy ? { strategy } : {}) };
    if (ctx.values.preview === true) {
      const p = await ctx.client.previewMigration(vm.id, input);
      return { exit: p.possible ? EXIT.OK : EXIT.FAILED, text: formatMigrationPreview(vm.name, p), json: p };
    }
    return powerResult(ctx, vm, await ctx.client.migrateVm(vm.id, input), 'migration');
  },

  async 'vm nic attach'(ctx) {
    const input = nicInputFromFlags(ctx.values);
    const vm = await ctx.client.findVm(ctx.args[0]);
    const queued = await ctx.client.attachInterface(vm.id, input);
    if (ctx.values['no-wait'] === true)
      return ok(`attach to vm ${vm.name} queued: operation ${queued.id}`, { vm: { id: vm.id, name: vm.name }, operation: queued });
    const operation = await follow(ctx, queued);
    const after = await ctx.client.getVm(vm.id);
    const index = addedIndex(vm, after);
    const what = index === null ? 'a nic' : formatNic(after, index);
    return ok(`vm ${vm.name}: attached ${what}`, { vm: after, operation, interfaceIndex: index });
  },

  async 'vm nic detach'(ctx) {
    const timeoutSeconds = parseCount('release-timeout', ctx.values['release-timeout'] as string | undefined, { min: 0 });
    const vm = await ctx.client.findVm(ctx.args[0]);
    const iface = findInterface(vm, ctx.args[1]);
    const what = formatNic(vm, iface.index);
    const queued = await ctx.client.detachInterface(vm.id, iface.id, timeoutSeconds === undefined ? {} : { timeoutSeconds });
    if (ctx.values['no-wait'] === true)
      return ok(`detach of ${what} from vm ${vm.name} queued: operation ${queued.id}`, {
        vm: { id: vm.id, name: vm.name },
        operation: queued,
      });
    const operation = await follow(ctx, queued);
    const after = await ctx.client.getVm(vm.id);
    return ok(`vm ${vm.name}: detached ${what}`, { vm: after, operation, interfaceIndex: iface.index });
  },

  async 'vm show'(ctx) {
    const vm = await ctx.client.findVm(ctx.args[0]);
    return ok(formatVm(vm), vm);
  },

  async 'vm list'(ctx) {
    const state = enumFlag('state', ctx.values.state, VM_STATES);
    const hostId = typeof ctx.values.host === 'string' ? (await hostByName(ctx.client, ctx.values.host)).id : undefined;
    const vms = await ctx.client.listVms({ state, hostId, includeDeleted: ctx.values.all === true });
    return ok(formatVmList(vms), vms);
  },

  async preview(ctx) {
    const preview = await ctx.client.previewPlacement(vmInputFromFlags(ctx, { nameRequired: false }));
    return { exit: preview.fits ? EXIT.OK : EXIT.FAILED, text: formatPreview(preview), json: preview };
  },

  async explain(ctx) {
    const explanation = await ctx.client.explainPlacement(vmInputFromFlags(ctx, { nameRequired: false }), ctx.args[0]);
    return { exit: explanation.fits ? EXIT.OK : EXIT.FAILED, text: formatExplanation(explanation), json: explanation };
  },

  async capacity(ctx) {
    const report = await ctx.client.capacity(vmInputFromFlags(ctx, { nameRequired: false }));
    return ok(formatCapacity(report), report);
  },

  async 'operations watch'(ctx) {
    const current = await ctx.client.operation(ctx.args[0]);
    const operation = current.state === 'SUCCEEDED' || current.state === 'FAILED' ? current : await follow(ctx, current);
    // a finished FAILED operation still exits 1, like one that fails while watched
    if (operation.state === 'FAILED') return { exit: EXIT.FAILED, text: formatOperation(operation), json: operation };
    return ok(formatOperation(operation), operation);
  },

  async 'operations list'(ctx) {
    const ops = await ctx.client.operations({
      state: parseOperationState(ctx.values.state as string | undefined),
      kind: ctx.values.kind as string | undefined,
      first: parseCount('limit', ctx.values.limit as string | undefined, { min: 1 }) ?? 20,
    });
    return ok(formatOperationList(ops), ops);
  },
};

export function runCommand(name: ApiCommandName, ctx: CommandContext): Promise<CommandResult> {
  return handlers[name](ctx);
}

const localHandlers: Record<LocalCommandName, (args: string[]) => CommandResult> = {
  completion([shell]) {
    if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`completion: expected bash|zsh, got "${shell}"`);
    const script = completionScript(shell);
    return ok(script.trimEnd(), { shell, script });
  },
};

export function runLocalCommand(name: LocalCommandName, args: string[]): CommandResult {
  return localHandlers[name](args);
}
