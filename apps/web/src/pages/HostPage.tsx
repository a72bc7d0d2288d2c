import { useMemo, useState } from 'react';
import { CapBadge, StateBadge } from '../components/Bars';
import { ErrorBox, Loading } from '../components/Status';
import { DiscoverHostDocument, HostDetailDocument, SetHostMaintenanceDocument, type HostDetailQuery } from '@netpin/client/operations';
import { formatTime } from '../lib/format';
import { useMutation, useQuery } from '../lib/hooks';
import { href } from '../lib/router';
import { irqRows } from './irq-rows';
import { cpuRole, ROLE_LABELS, vmColours, type CpuDisplayRole } from '../topology/roles';
import { TopologySvg } from '../topology/TopologySvg';
import { HostDrift } from './HostDrift';

type Host = HostDetailQuery['host'];

const ROLE_ORDER: CpuDisplayRole[] = ['vcpu', 'emulator', 'vhost', 'irq', 'isolation', 'host-reserved', 'free'];

export function HostPage({ name }: { name: string }) {
  const q = useQuery(HostDetailDocument, { name });
  const [highlight, setHighlight] = useState<string | null>(null);
  const [setMaintenance, maint] = useMutation(SetHostMaintenanceDocument);
  const [discover, disc] = useMutation(DiscoverHostDocument);

  const host = q.data?.host;
  const vmsOnHost = useMemo(() => {
    if (!host) return [];
    const ids = new Set<string>();
    for (const n of host.numaNodes) for (const c of n.cpus) if (c.allocation) ids.add(c.allocation.vmId);
    for (const nic of host.nics) for (const vf of nic.vfs) if (vf.allocatedToVmId) ids.add(vf.allocatedToVmId);
    return [...ids].sort();
  }, [host]);
  const colours = useMemo(() => vmColours(vmsOnHost), [vmsOnHost]);
  const vmNames = useMemo(() => new Map((q.data?.vms.nodes ?? []).map((v) => [v.id, v.name])), [q.data]);
  // IRQs pinned by the plans of the VMs that hold resources here
  const plannedIrqs = useMemo(() => {
    const held = new Set(vmsOnHost);
    const m = new Map<number, { vmId: string; cpus: readonly number[] }>();
    for (const vm of q.data?.vms.nodes ?? []) {
      if (!held.has(vm.id) || vm.hostId !== host?.id) continue;
      for (const a of vm.plan?.irqAffinity ?? []) m.set(a.irq, { vmId: vm.id, cpus: a.cpus });
    }
    return m;
  }, [q.data, vmsOnHost, host]);

  if (q.loading && !q.data) return <Loading what={`Loading host ${name}`} />;
  if (q.error && !host) return <ErrorBox error={q.error} title={`Cannot load host ${name}`} />;
  if (!host) return null;

  const roleCounts = new Map<CpuDisplayRole, number>();
  for (const n of host.numaNodes) for (const c of n.cpus) roleCounts.set(cpuRole(c), (roleCounts.get(cpuRole(c)) ?? 0) + 1);
  const inMaintenance = host.state === 'MAINTENANCE';

  return (
    <section aria-labelledby="host-title" data-testid="host-page">
      <p className="crumbs">
        <a href={href('fleet')}>Fleet</a> / {host.name}
      </p>
      <header className="page-head">
        <h1 id="host-title">{host.name}</h1>
        <StateBadge state={host.state} />
        <span className="muted">
          {host.sshUser}@{host.address}:{host.port} · discovered {formatTime(host.lastDiscoveredAt)}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="btn"
          disabled={disc.running}
          onClick={() => void discover({ id: host.id })}
          data-testid="discover-host"
        >
          {disc.running ? 'Starting discovery…' : 'Re-discover'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={maint.running}
          data-testid="toggle-maintenance"
          onClick={() => void setMaintenance({ id: host.id, input: { enabled: !inMaintenance } }).then((r) => r && q.refetch())}
        >
          {inMaintenance ? 'Leave maintenance' : 'Enter maintenance'}
        </button>
      </header>
      {host.stateReason && <p className="muted">Reason: {host.stateReason}</p>}
      {maint.error && <ErrorBox error={maint.error} title="Maintenance change failed" />}
      {disc.error && <ErrorBox error={disc.error} title="Discovery failed to start" />}
      {disc.data && (
        <p className="status">
          Discovery queued: <a href={href('operations', disc.data.discoverHost.id)}>operation {disc.data.discoverHost.id.slice(0, 8)}</a>
        </p>
      )}
      <div className="badges">
        <CapBadge on={host.capabilities.kvm} label="KVM" title="/dev/kvm" />
        <CapBadge on={host.capabilities.iommu} label="IOMMU" title="VT-d / AMD-Vi enabled" />
        <CapBadge on={host.capabilities.vhostNet} label="vhost-net" title="/dev/vhost-net" />
        <CapBadge on={host.nics.some((n) => n.sriovTotalVfs > 0)} label="SR-IOV" title="A NIC with SR-IOV" />
        <CapBadge on={host.capabilities.ovs} label="OVS" title="Open vSwitch" />
        <CapBadge on={host.capabilities.ept || host.capabilities.npt} label="EPT/NPT" title="Nested paging" />
      </div>

      <div className="topo-wrap">
        <div className="topo-canvas">
          {host.numaNodes.length === 0 ? (
            <p className="status">No topology yet: run discovery.</p>
          ) : (
            <TopologySvg host={host} colours={colours} vmNames={vmNames} highlightVm={highlight} onHoverVm={setHighlight} />
          )}
        </div>
        <aside className="topo-legend" aria-label="Legend">
          <h2>CPU roles</h2>
          <ul className="legend-roles">
            {ROLE_ORDER.map((r) => (
              <li key={r}>
                <span className={`swatch role-${r}`} aria-hidden="true" /> {ROLE_LABELS[r]}{' '}
                <span className="muted">({roleCounts.get(r) ?? 0})</span>
              </li>
            ))}
          </ul>
          <h2>VMs on this host</h2>
          {vmsOnHost.length === 0 ? (
            <p className="muted">None</p>
          ) : (
            <ul className="legend-vms">
              {vmsOnHost.map((id) => (
                <li key={id}>
                  <button
                    type="button"
                    className={`legend-vm${highlight === id ? ' active' : ''}`}
                    data-testid={`legend-vm-${id}`}
                    onMouseEnter={() => setHighlight(id)}
                    onMouseLeave={() => setHighlight(null)}
                    onFocus={() => setHighlight(id)}
                    onBlur={() => setHighlight(null)}
                    aria-pressed={highlight === id}
                  >
                    <span className="swatch" style={{ background: colours.get(id) }} aria-hidden="true" />
                    {vmNames.get(id) ?? id.slice(0, 8)}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </aside>
      </div>

      <h2>NICs and IRQs</h2>
      {host.nics.length === 0 ? (
        <p className="muted">No NICs discovered.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">NIC</th>
                <th scope="col">PCI</th>
                <th scope="col">Node</th>
                <th scope="col">Queues</th>
                <th scope="col">VFs</th>
                <th scope="col">IRQ → CPUs (VM)</th>
              </tr>
            </thead>
            <tbody>
              {host.nics.map((nic) => (
                <tr key={nic.id}>
                  <th scope="row">
                    {nic.name}{' '}
                    <span className="muted">
                      {nic.driver ?? ''} {nic.speedMbps ? `${nic.speedMbps / 1000} Gb/s` : ''} {nic.linkState}
                    </span>
                  </th>
                  <td>
                    <code>{nic.pciAddress}</code>
                  </td>
                  <td>{nic.numaNode ?? '?'}</td>
                  <td>
                    {nic.combinedQueues}/{nic.maxCombinedQueues}
                  </td>
                  <td>
                    {nic.sriovNumVfs}/{nic.sriovTotalVfs}
                    {nic.vfs.length > 0 && <span className="muted"> ({nic.vfs.filter((v) => !v.allocatedToVmId).length} free)</span>}
                  </td>
                  <td>
                    <ul className="irq-list">
                      {irqRows(nic.irqs, plannedIrqs).map((r) => {
                        const isLit = highlight !== null && r.ownerVmId === highlight;
                        return (
                          <li
                            key={r.irq}
                            className={isLit ? 'lit' : highlight !== null ? 'dim' : ''}
                            data-irq={r.irq}
                            data-vm-id={r.ownerVmId ?? undefined}
                          >
                            <code>{r.irqs}</code> {r.queues} → {r.cpus}
                            {r.ownerVmId && <span className="muted"> ({vmNames.get(r.ownerVmId) ?? r.ownerVmId.slice(0, 8)})</span>}
                            {r.discovered && (
                              <span className="muted small" title="affinity seen by the last discovery, before the VM's plan was applied">
                                {' '}
                                · discovered {r.discovered}
                              </span>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <HostDrift hostId={host.id} vmNames={vmNames} />
    </section>
  );
}
