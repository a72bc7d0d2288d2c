import type {
  CapacityReport,
  Host,
  HostExplanation,
  HostSummary,
  Network,
  Operation,
  PlacementPreview,
  PlacementRejectionDetails,
  Vm,
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

/** [0,1,2,5,7,8] -> "0-2,5,7-8" (the kernel's cpulist format). */
export function cpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',') || '-';
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

function mib(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} GiB` : `${n} MiB`;
}

export function formatHostList(hosts: HostSummary[]): string {
  if (hosts.length === 0) return 'no hosts';
  return table(
    ['NAME', 'STATE', 'ADDRESS', 'NUMA', 'CPUS FREE/TOTAL', 'VFS FREE/TOTAL', 'MEMORY'],
    hosts.map((h) => {
      const cpus = h.numaNodes.flatMap((n) => n.cpus);
      const free = cpus.filter((c) => !c.reservedForHost && !c.allocation).length;
      const vfs = h.nics.flatMap((n) => n.vfs);
      return [
        h.name,
        h.state === 'READY' || !h.stateReason ? h.state : `${h.state} (${h.stateReason})`,
        h.address,
        String(h.numaNodes.length),
        `${free}/${cpus.length}`,
        `${vfs.filter((v) => !v.allocatedToVmId).length}/${vfs.length}`,
        mib(h.numaNodes.reduce((s, n) => s + n.memoryMiB, 0)),
      ];
    }),
  );
}

const ROLE_ORDER = ['VCPU', 'EMULATOR', 'VHOST', 'IRQ', 'ISOLATION'];

/**
 * The host's topology: per NUMA node its memory and hugepages, CPUs grouped by owner and
 * role, and the NICs attached to the node with VF use and IRQ affinity.
 */
export function formatHost(host: Host, vmNames: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  const caps = Object.entries(host.capabilities)
    .filter(([, on]) => on)
    .map(([k]) => k);
  out.push(`host ${host.name}  ${host.state}${host.stateReason ? ` (${host.stateReason})` : ''}`);
  out.push(`  id ${host.id}  ssh ${host.sshUser}@${host.address}:${host.port}  discovered ${host.lastDiscoveredAt ?? 'never'}`);
  out.push(`  capabilities: ${caps.join(' ') || 'none'}`);
  if (host.labels.length > 0) out.push(`  labels: ${host.labels.map((l) => `${l.key}=${l.value}`).join(' ')}`);
  if (host.numaNodes.length === 0) out.push('  (not discovered yet: run `netpin hosts discover`)');
  const nodeIndexes = new Set(host.numaNodes.map((n) => n.index));
  for (const node of [...host.numaNodes].sort((a, b) => a.index - b.index)) {
    const hp = node.hugepages
      .map((p) => `${p.sizeKiB >= 1048576 ? '1G' : p.sizeKiB >= 2048 ? '2M' : `${p.sizeKiB}K`} ${p.free}/${p.total} free`)
      .join(', ');
    out.push('');
    out.push(`NUMA node ${node.index}: ${node.cpus.length} CPUs, ${mib(node.memoryMiB)}${hp ? `, hugepages ${hp}` : ''}`);
    const reserved = node.cpus.filter((c) => c.reservedForHost).map((c) => c.cpuId);
    const free = node.cpus.filter((c) => !c.reservedForHost && !c.allocation).map((c) => c.cpuId);
    const owners = new Map<string, Map<string, number[]>>();
    for (const c of node.cpus) {
      if (!c.allocation) continue;
      const byRole = owners.get(c.allocation.vmId) ?? new Map<string, number[]>();
      byRole.set(c.allocation.role, [...(byRole.get(c.allocation.role) ?? []), c.cpuId]);
      owners.set(c.allocation.vmId, byRole);
    }
    out.push(`  CPUs  free ${cpuList(free)}  (${free.length})`);
    out.push(`        host-reserved ${cpuList(reserved)}`);
    for (const [vmId, byRole] of owners) {
      const roles = [...byRole.entries()]
        .sort((a, b) => ROLE_ORDER.indexOf(a[0]) - ROLE_ORDER.indexOf(b[0]))
        .map(([role, cpus]) => `${role.toLowerCase()} ${cpuList(cpus)}`);
      out.push(`        vm ${vmNames.get(vmId) ?? vmId}: ${roles.join(', ')}`);
    }
    const nics = host.nics.filter((n) => n.numaNode === node.index);
    if (nics.length > 0) out.push('  NICs');
    for (const nic of nics) out.push(...formatNic(nic));
  }
  const elsewhere = host.nics.filter((n) => n.numaNode === null || !nodeIndexes.has(n.numaNode));
  if (elsewhere.length > 0) {
    out.push('');
    out.push('NICs without a NUMA node');
    for (const nic of elsewhere) out.push(...formatNic(nic));
  }
  return out.join('\n');
}

function formatNic(nic: Host['nics'][number]): string[] {
  const used = nic.vfs.filter((v) => v.allocatedToVmId).length;
  const lines = [
    `    ${nic.name}  ${nic.pciAddress}  ${nic.driver ?? '?'}  ${nic.speedMbps ? `${nic.speedMbps} Mb/s` : 'speed ?'}  link ${nic.linkState}  queues ${nic.combinedQueues}/${nic.maxCombinedQueues}  NUMA ${nic.numaNode ?? '-'}` +
      (nic.sriovTotalVfs > 0 ? `  VFs ${used}/${nic.vfs.length} used (max ${nic.sriovTotalVfs})` : ''),
  ];
  if (nic.irqs.length > 0) lines.push(`      IRQs ${irqRuns(nic.irqs).join(' ')}`);
  return lines;
}

/** Queue IRQs as `irq(qN)->cpus`, consecutive IRQs of consecutive queues with one affinity folded: `100-131(q0-31)->0-63`. */
export function irqRuns(irqs: readonly { irq: number; queue: number; affinity: readonly number[] }[]): string[] {
  const sorted = [...irqs].sort((a, b) => a.queue - b.queue || a.irq - b.irq);
  const runs: { first: (typeof sorted)[number]; last: (typeof sorted)[number]; cpus: string }[] = [];
  for (const q of sorted) {
    const cpus = cpuList(q.affinity);
    const run = runs.at(-1);
    if (run && run.cpus === cpus && q.irq === run.last.irq + 1 && q.queue === run.last.queue + 1) run.last = q;
    else runs.push({ first: q, last: q, cpus });
  }
  return runs.map((r) =>
    r.first === r.last
      ? `${r.first.irq}(q${r.first.queue})->${r.cpus}`
      : `${r.first.irq}-${r.last.irq}(q${r.first.queue}-${r.last.queue})->${r.cpus}`,
  );
}

export function formatNetworks(networks: Network[]): string {
  if (networks.length === 0) return 'no networks';
  return table(
    ['NAME', 'KIND', 'DETAIL', 'VLAN', 'CARRIED BY'],
    networks.map((n) => [
      n.name,
      n.kind,
      n.bridge ?? n.physnet ?? (n.macvtapMode ? `macvtap ${n.macvtapMode}` : '-'),
      n.vlan === null ? '-' : String(n.vlan),
      n.mappings.map((m) => `${m.hostName}/${m.nicName}`).join(' ') || '-',
    ]),
  );
}

export function formatVmList(vms: Vm[]): string {
  if (vms.length === 0) return 'no VMs';
  return table(
    ['NAME', 'STATE', 'HOST', 'NUMA', 'VCPUS', 'MEMORY', 'DATAPATHS', 'ID'],
    vms.map((v) => [
      v.name,
      v.state,
      v.plan?.hostName ?? '-',
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
    const where = i.vfIndex !== null ? `${i.nicName} VF ${i.vfIndex}` : (i.sourceDevice ?? i.nicName ?? '-');
    const guestNic = i.queues === null ? 'VF passthrough' : `${i.model}, ${i.queues} queue${i.queues === 1 ? '' : 's'}`;
    out.push(
      `${indent}nic ${i.index} ${i.networkName}: ${i.datapath} (${guestNic}) on ${where}, NUMA ${i.numaNode ?? '-'}${i.numaLocal ? ' local' : ' REMOTE'}${i.failover ? ', virtio failover' : ''}  mac ${i.mac}${i.vlan !== null ? ` vlan ${i.vlan}` : ''}`,
    );
  }
  if (plan.irqAffinity.length > 0) out.push(`${indent}IRQs ${plan.irqAffinity.map((q) => `${q.irq}->${cpuList(q.cpus)}`).join(' ')}`);
  if (plan.penalties.length > 0) out.push(`${indent}penalties: ${plan.penalties.join('; ')}`);
  out.push(`${indent}score ${plan.score.total.toFixed(2)}`);
  return out;
}

export function formatVm(vm: Vm): string {
  const out = [`vm ${vm.name}  ${vm.state}  id ${vm.id}`, `  ${vm.vcpus} vCPUs, ${mib(vm.memoryMiB)}, created ${vm.createdAt}`];
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
  return out.join('\n');
}

export function formatOperation(op: Operation): string {
  const out = [
    `operation ${op.id}  ${op.kind}  ${op.state}  ${op.progress}%${op.step ? `  ${op.step}` : ''}`,
    `  target ${op.targetType} ${op.targetId}  created ${op.createdAt}${op.finishedAt ? `  finished ${op.finishedAt}` : ''}`,
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
    ops.map((o) => [o.id, o.kind, o.state, `${o.progress}%`, `${o.targetType} ${o.targetId}`, o.createdAt, o.errorCode ?? '']),
  );
}

/** One line per change, for logs and pipes (no TTY). */
export function progressLine(op: Operation): string {
  return `${op.kind} ${op.id.slice(0, 12)}: ${op.state} ${String(op.progress).padStart(3)}%${op.step ? ` ${op.step}` : ''}`;
}
