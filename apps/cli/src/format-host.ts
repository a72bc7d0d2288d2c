import { describeState, formatFreeCpus, irqGroupNumbers, irqGroups, formatCpuList, type Host, type HostSummary } from '@netpin/client';
import { cpuList, mib, table } from './format';

/** Plain-text hosts: the same figures and words as the web UI (libs/client/src/display.ts). */

const at = (iso: string): string => iso;

export function formatHostList(hosts: HostSummary[]): string {
  if (hosts.length === 0) return 'no hosts';
  return table(
    ['NAME', 'STATE', 'ADDRESS', 'NUMA', 'CPUS FREE/USABLE', 'RESERVED', 'VFS FREE/CONFIGURED', 'MEMORY'],
    hosts.map((h) => {
      const vfs = h.nics.map((n) => n.vfCounts);
      return [
        h.name,
        h.state === 'READY' || !h.stateReason ? h.state : `${h.state} (${h.stateReason})`,
        h.address,
        String(h.numaNodes.length),
        `${h.cpuCounts.free}/${h.cpuCounts.usable}`,
        String(h.cpuCounts.reservedForHost),
        `${vfs.reduce((s, v) => s + v.free, 0)}/${vfs.reduce((s, v) => s + v.configured, 0)}`,
        mib(h.numaNodes.reduce((s, n) => s + n.memoryMiB, 0)),
      ];
    }),
  );
}

const ROLE_ORDER = ['VCPU', 'EMULATOR', 'VHOST', 'IRQ', 'ISOLATION'];

type Node = Host['numaNodes'][number];
type Nic = Host['nics'][number];

/** Per VM on the node: every role it has there, from the CPUs' uses (an I/O CPU shows IRQ and vhost). */
function rolesByVm(node: Node): string[] {
  const owners = new Map<string, { name: string; byRole: Map<string, number[]> }>();
  for (const c of node.cpus) {
    for (const u of c.uses) {
      const o = owners.get(u.vmId) ?? { name: u.vmName, byRole: new Map<string, number[]>() };
      o.byRole.set(u.role, [...(o.byRole.get(u.role) ?? []), c.cpuId]);
      owners.set(u.vmId, o);
    }
  }
  return [...owners.values()].map(({ name, byRole }) => {
    const roles = [...byRole.entries()]
      .sort((a, b) => ROLE_ORDER.indexOf(a[0]) - ROLE_ORDER.indexOf(b[0]))
      .map(([role, cpus]) => `${role.toLowerCase()} ${cpuList(cpus)}`);
    return `        vm ${name}: ${roles.join(', ')}`;
  });
}

function formatNode(node: Node, nics: Nic[]): string[] {
  const hp = node.hugepages
    .map((p) => `${p.sizeKiB >= 1048576 ? '1G' : p.sizeKiB >= 2048 ? '2M' : `${p.sizeKiB}K`} ${p.free}/${p.total} free`)
    .join(', ');
  const reserved = node.cpus.filter((c) => c.reservedForHost).map((c) => c.cpuId);
  const free = node.cpus.filter((c) => !c.reservedForHost && !c.allocation).map((c) => c.cpuId);
  const out = [
    '',
    `NUMA node ${node.index}: ${node.cpus.length} CPUs, ${mib(node.memoryMiB)}${hp ? `, hugepages ${hp}` : ''}`,
    `  CPUs  free ${cpuList(free)}  (${formatFreeCpus(node.cpuCounts)})`,
    `        host-reserved ${cpuList(reserved)}`,
    ...rolesByVm(node),
  ];
  if (nics.length > 0) out.push('  NICs');
  for (const nic of nics) out.push(...formatNic(nic));
  return out;
}

export function formatHost(host: Host): string {
  const caps = Object.entries(host.capabilities)
    .filter(([, on]) => on)
    .map(([k]) => k);
  const out = [
    `host ${host.name}  ${host.state}${host.stateReason ? ` (${host.stateReason})` : ''}`,
    `  id ${host.id}  ssh ${host.sshUser}@${host.address}:${host.port}  discovered ${host.lastDiscoveredAt ?? 'never'}`,
    `  capabilities: ${caps.join(' ') || 'none'}`,
  ];
  if (host.labels.length > 0) out.push(`  labels: ${host.labels.map((l) => `${l.key}=${l.value}`).join(' ')}`);
  if (host.numaNodes.length === 0) out.push('  (not discovered yet: run `netpin hosts discover`)');
  else out.push(`  CPUs ${formatFreeCpus(host.cpuCounts)}`);
  for (const vm of host.vms) out.push(`  vm ${vm.name}  ${vm.state}, plan ${describeState(vm.planState, at)}`);
  const nodeIndexes = new Set(host.numaNodes.map((n) => n.index));
  for (const node of [...host.numaNodes].sort((a, b) => a.index - b.index)) {
    out.push(
      ...formatNode(
        node,
        host.nics.filter((n) => n.numaNode === node.index),
      ),
    );
  }
  const elsewhere = host.nics.filter((n) => n.numaNode === null || !nodeIndexes.has(n.numaNode));
  if (elsewhere.length > 0) out.push('', 'NICs without a NUMA node', ...elsewhere.flatMap(formatNic));
  return out.join('\n');
}

function formatNic(nic: Nic): string[] {
  const v = nic.vfCounts;
  const lines = [
    `    ${nic.name}  ${nic.pciAddress}  ${nic.driver ?? '?'}  ${nic.speedMbps ? `${nic.speedMbps} Mb/s` : 'speed ?'}  link ${nic.linkState}  queues ${nic.combinedQueues}/${nic.maxCombinedQueues}  NUMA ${nic.numaNode ?? '-'}` +
      (nic.sriovTotalVfs > 0 ? `  VFs ${v.allocated}/${v.configured} used (max ${nic.sriovTotalVfs})` : ''),
  ];
  for (const g of irqGroups(nic.irqs)) {
    const n = irqGroupNumbers(g, '-');
    const owner = g.first.ownerVmName ? ` (${g.first.ownerVmName})` : '';
    lines.push(`      IRQs ${n.irqs} (${n.queues}): ${formatCpuList(g.cpus) || '-'}${owner}, ${describeState(g.first.state, at)}`);
  }
  for (const vf of nic.vfs.filter((x) => x.allocatedToVmId)) {
    const vlan = vf.vlan ? `  vlan ${vf.vlan}` : '';
    lines.push(
      `      VF ${vf.index}  ${vf.mac ?? '-'}${vlan}  ${vf.allocatedToVmName ?? vf.allocatedToVmId}, ${describeState(vf.state, at)}`,
    );
  }
  return lines;
}
