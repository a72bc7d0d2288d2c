import {
  describeInterface,
  describeState,
  formatCpuList,
  irqGroupNumbers,
  irqGroups,
  type CapacityReport,
  type Group,
  type HostExplanation,
  type Network,
  type Operation,
  type PlacementPreview,
  type PlacementRejectionDetails,
  type Vm,
} from '@netpin/client';
import { cleanHostText } from '@netpin/contracts/host-text';

/** Plain-text rendering of API objects for people; --json bypasses all of it. */

/**
 * Text for a terminal: what the API returns carries host output (error messages, stderr,
 * IRQ and driver names), so escape sequences and control characters are removed before
 * they can repaint the terminal. JSON output needs nothing: JSON escapes them.
 */
export function terminalText(text: string): string {
  return cleanHostText(text, Number.MAX_SAFE_INTEGER);
}

/** [0,1,2,5,7,8] -> "0-2,5,7-8" (the kernel's cpulist format), "-" for none. */
export function cpuList(cpus: readonly number[]): string {
  return formatCpuList(cpus) || '-';
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function mib(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} GiB` : `${n} MiB`;
}

export function formatNetworks(networks: Network[]): string {
  if (networks.length === 0) return 'no networks';
  return table(
    ['NAME', 'KIND', 'DETAIL', 'VLAN', 'MTU', 'CARRIED BY'],
    networks.map((n) => [
      n.name,
      n.kind,
      n.bridge ?? n.physnet ?? (n.macvtapMode ? `macvtap ${n.macvtapMode}` : '-'),
      vlanText(n),
      n.mtu === null ? '-' : String(n.mtu),
      n.mappings.map((m) => `${m.hostName}/${m.nicName}`).join(' ') || '-',
    ]),
  );
}

/** `100`, `100 (802.1ad)`, `trunk 10,20 native 30`, `trunk 10 native 10 tagged`, or `-`. */
export function vlanText(n: Pick<Network, 'vlan' | 'vlanProtocol' | 'trunkVlans' | 'nativeVlan' | 'nativeVlanMode'>): string {
  if (n.trunkVlans.length > 0) {
    const native = n.nativeVlan === null ? '' : ` native ${n.nativeVlan}${n.nativeVlanMode === 'TAGGED' ? ' tagged' : ''}`;
    return `trunk ${n.trunkVlans.join(',')}${native}`;
  }
  if (n.vlan === null) return '-';
  return n.vlanProtocol === 'DOT1AD' ? `${n.vlan} (802.1ad)` : String(n.vlan);
}

export function formatGroups(groups: Group[]): string {
  if (groups.length === 0) return 'no groups';
  return table(
    ['NAME', 'POLICY', 'ENFORCEMENT', 'MAX/HOST', 'MEMBERS', 'ID'],
    groups.map((g) => [g.name, g.policy, g.enforcement, g.maxPerHost === null ? '-' : String(g.maxPerHost), String(g.members), g.id]),
  );
}

export function formatVmList(vms: Vm[]): string {
  if (vms.length === 0) return 'no VMs';
  return table(
    ['NAME', 'STATE', 'HOST', 'NUMA', 'VCPUS', 'MEMORY', 'DATAPATHS', 'ID'],
    vms.map((v) => [
      v.name,
      v.state,
      v.hostName ?? v.plan?.hostName ?? '-',
      v.numaNode === null ? '-' : String(v.numaNode),
      String(v.vcpus),
      mib(v.memoryMiB),
      v.interfaces.map((i) => i.datapath ?? '?').join(',') || '-',
      v.id,
    ]),
  );
}

function formatPlan(plan: NonNullable<Vm['plan']>, indent = '  '): string[] {
  const out = [
    `${indent}host ${plan.hostName}, NUMA node(s) ${plan.numaNodes.join(',')}, memory ${plan.memoryMode}${plan.hugepages !== 'NONE' ? `, hugepages ${plan.hugepages}` : ''}`,
    `${indent}vCPU pins ${plan.vcpuPins.map((p) => `${p.vcpu}->${cpuList(p.cpus)}`).join(' ')}`,
    `${indent}emulator ${cpuList(plan.emulatorCpus)}  vhost ${cpuList(plan.vhostCpus)}${plan.isolatedSiblings.length ? `  isolated siblings ${cpuList(plan.isolatedSiblings)}` : ''}`,
  ];
  for (const i of plan.interfaces) {
    // a VF is described by itself (describeInterface); other datapaths attach to a device
    const where = i.vfIndex !== null ? '' : ` on ${i.sourceDevice ?? i.nicName ?? '-'}`;
    out.push(
      `${indent}nic ${i.index} ${i.networkName}: ${i.datapath} (${describeInterface(i)})${where}, NUMA ${i.numaNode ?? '-'}${i.numaLocal ? ' local' : ' REMOTE'}  mac ${i.mac}${i.vlan !== null ? ` vlan ${i.vlan}` : ''}`,
    );
  }
  out.push(...planIrqLines(plan, indent));
  if (plan.penalties.length > 0) out.push(`${indent}penalties: ${plan.penalties.join('; ')}`);
  out.push(`${indent}score ${plan.score.total.toFixed(2)}`);
  return out;
}

/** The plan's queue IRQs per NIC, grouped by target like `hosts show` prints them. */
function planIrqLines(plan: NonNullable<Vm['plan']>, indent: string): string[] {
  const planned = { source: 'PLANNED' as const, at: null, vmName: null };
  return [...new Set(plan.irqAffinity.map((q) => q.nicName))].map((nic) => {
    const irqs = plan.irqAffinity
      .filter((q) => q.nicName === nic)
      .map((q) => ({ ...q, affinity: q.cpus, ownerVmId: null, ownerVmName: null, state: planned }));
    return `${indent}IRQs ${nic} ${irqGroups(irqs)
      .map((g) => `${irqGroupNumbers(g, '-').irqs}: ${cpuList(g.cpus)}`)
      .join(' ')}`;
  });
}

export function formatVm(vm: Vm): string {
  const out = [`vm ${vm.name}  ${vm.state}  id ${vm.id}`, `  ${vm.vcpus} vCPUs, ${mib(vm.memoryMiB)}, created ${vm.createdAt}`];
  if (vm.planState) out.push(`  on ${vm.hostName ?? vm.plan?.hostName ?? '?'}, plan ${describeState(vm.planState, (t) => t)}`);
  if (vm.errorCode || vm.errorMessage) out.push(`  error: ${vm.errorMessage ?? ''} (${vm.errorCode ?? 'ERROR'})`);
  if (vm.plan) out.push(...formatPlan(vm.plan));
  else out.push('  not placed');
  return out.join('\n');
}

export function formatRejection(r: PlacementRejectionDetails & { message?: string; hostsConsidered?: number }): string {
  const out: string[] = [];
  if (r.hostsConsidered !== undefined) out.push(`  ${r.hostsConsidered} host(s) considered`);
  for (const s of [...r.summary].sort((a, b) => b.hosts - a.hosts)) {
    out.push(`  ${s.code}: ${s.hosts} host(s)${s.examples.length ? ` (e.g. ${s.examples.slice(0, 3).join(', ')})` : ''}`);
  }
  for (const q of r.requestReasons) out.push(`  ${q.code}: ${q.detail}`);
  return out.join('\n');
}

export function formatPreview(p: PlacementPreview): string {
  if (p.fits && p.plan) return ['fits:', ...formatPlan(p.plan as NonNullable<Vm['plan']>)].join('\n');
  const r = p.rejection;
  return [`does not fit: ${r?.message ?? 'no host fits'} (PLACEMENT_REJECTED)`, ...(r ? [formatRejection(r)] : [])].join('\n');
}

export function formatExplanation(e: HostExplanation): string {
  const head = `${e.hostName}: ${e.fits ? 'fits' : 'does not fit'}`;
  return [head, ...e.reasons.map((r) => `  ${r.code}: ${r.detail}`)].join('\n');
}

export function formatCapacity(c: CapacityReport): string {
  const out = [`${c.total} more VM(s) of this shape fit`];
  if (c.byDatapath.length > 0) out.push(...c.byDatapath.map((d) => `  ${d.datapaths}: ${d.count}`));
  if (c.perHost.length > 0) {
    out.push('');
    out.push(
      table(
        ['HOST', 'FIT', 'BY DATAPATH'],
        c.perHost.map((h) => [h.hostName, String(h.count), h.byDatapath.map((d) => `${d.datapaths}=${d.count}`).join(' ') || '-']),
      ),
    );
  }
  // why it fits nowhere, or where it does not fit (a host counted under its first reason)
  for (const r of c.requestReasons ?? []) out.push(`refused: ${r.code}: ${r.detail}`);
  for (const r of c.refusals ?? []) out.push(`not on ${r.hosts} host(s): ${r.code}`);
  return out.join('\n');
}

export function formatOperation(op: Operation): string {
  const out = [
    `operation ${op.id}  ${op.kind}  ${op.state}  ${op.progress}%${op.step ? `  ${op.step}` : ''}`,
    `  target ${op.targetType} ${op.targetName ? `${op.targetName} (${op.targetId})` : op.targetId}  created ${op.createdAt}${op.finishedAt ? `  finished ${op.finishedAt}` : ''}`,
  ];
  for (const s of op.steps) out.push(`  step ${s.name}: ${s.state}`);
  if (op.state === 'FAILED') out.push(...formatOperationFailure(op));
  return out.join('\n');
}

export function formatOperationFailure(op: Operation): string[] {
  const out = [`  error: ${op.errorMessage ?? 'failed'} (${op.errorCode ?? 'OPERATION_FAILED'})`];
  if (op.errorStderr)
    out.push(
      '  stderr:',
      ...op.errorStderr
        .trimEnd()
        .split(/\r\n?|\n/)
        .map((l) => `    ${l}`),
    );
  return out;
}

export function formatOperationList(ops: Operation[]): string {
  if (ops.length === 0) return 'no operations';
  return table(
    ['ID', 'KIND', 'STATE', 'PROGRESS', 'TARGET', 'CREATED', 'ERROR'],
    ops.map((o) => [
      o.id,
      o.kind,
      o.state,
      `${o.progress}%`,
      `${o.targetType} ${o.targetName ?? o.targetId}`,
      o.createdAt,
      o.errorCode ?? '',
    ]),
  );
}

/** What an operation works on, for people: its VM's or host's name (the id only when the target has none). */
export function operationLabel(op: Pick<Operation, 'kind' | 'id' | 'targetName'>): string {
  return `${op.kind} ${op.targetName ?? op.id.slice(0, 12)}`;
}

/** One line per change, for logs and pipes (no TTY). */
export function progressLine(op: Operation): string {
  return `${operationLabel(op)}: ${op.state} ${String(op.progress).padStart(3)}%${op.step ? ` ${op.step}` : ''}`;
}

interface DrainRow {
  vmName: string;
  outcome: string;
  action: string | null;
  reason: string | null;
}

function isDrainRow(v: unknown): v is DrainRow {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.vmName === 'string' && typeof r.outcome === 'string';
}

/** A host.drain operation's per-VM outcomes (its resultJson items), one line each. */
export function formatDrainItems(resultJson: string | null): string {
  const parsed: unknown = resultJson ? JSON.parse(resultJson) : null;
  const items: unknown[] =
    typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { items?: unknown }).items)
      ? (parsed as { items: unknown[] }).items
      : [];
  const rows = items.filter(isDrainRow);
  if (rows.length === 0) return '  no VMs were on the host';
  const width = Math.max(...rows.map((r) => r.vmName.length));
  return rows
    .map((r) => `  ${r.vmName.padEnd(width)}  ${r.outcome}${r.action ? ` (${r.action})` : ''}${r.reason ? `: ${r.reason}` : ''}`)
    .join('\n');
}
