import { formatFreeCpus } from '@netpin/client/display';
import { DiscoverHostDocument, SetHostMaintenanceDocument, type HostDetailQuery } from '@netpin/client/operations';
import { CapBadge, StateBadge } from '../../components/Bars';
import { ErrorBox } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useMutation } from '../../lib/hooks';
import { href } from '../../lib/router';

type Host = HostDetailQuery['host'];

function HostActions({ host, onChanged }: { host: Host; onChanged: () => void }) {
  const [setMaintenance, maint] = useMutation(SetHostMaintenanceDocument);
  const [discover, disc] = useMutation(DiscoverHostDocument);
  const inMaintenance = host.state === 'MAINTENANCE';
  return (
    <>
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
        onClick={() => void setMaintenance({ id: host.id, input: { enabled: !inMaintenance } }).then((r) => r && onChanged())}
      >
        {inMaintenance ? 'Leave maintenance' : 'Enter maintenance'}
      </button>
      <div className="page-head-notes">
        {maint.error && <ErrorBox error={maint.error} title="Maintenance change failed" />}
        {disc.error && <ErrorBox error={disc.error} title="Discovery failed to start" />}
        {disc.data && (
          <p className="status">
            Discovery queued: <a href={href('operations', disc.data.discoverHost.id)}>operation {disc.data.discoverHost.id.slice(0, 8)}</a>
          </p>
        )}
      </div>
    </>
  );
}

export function HostHeader({ host, onChanged }: { host: Host; onChanged: () => void }) {
  return (
    <>
      <p className="crumbs">
        <a href={href('fleet')}>Fleet</a> / {host.name}
      </p>
      <header className="page-head">
        <h1 id="host-title">{host.name}</h1>
        <StateBadge state={host.state} />
        <span className="muted">
          {host.sshUser}@{host.address}:{host.port} · inventory discovered {formatTime(host.lastDiscoveredAt)}
        </span>
        <span className="spacer" />
        <HostActions host={host} onChanged={onChanged} />
      </header>
      {host.stateReason && <p className="muted">Reason: {host.stateReason}</p>}
      {host.foreignDomains.length > 0 && (
        <p className="muted" data-testid="host-foreign-domains">
          Domains netpin did not define (their CPUs and VFs are never given to netpin VMs):{' '}
          {host.foreignDomains
            .map(
              (d) =>
                `${d.name} (${d.cpus.length > 0 ? `CPUs ${d.cpus.join(',')}` : 'not pinned'}${d.pciDevices.length > 0 ? `, ${d.pciDevices.join(', ')}` : ''})`,
            )
            .join('; ')}
        </p>
      )}
      <div className="badges">
        <CapBadge on={host.capabilities.kvm} label="KVM" title="/dev/kvm" />
        <CapBadge on={host.capabilities.iommu} label="IOMMU" title="VT-d / AMD-Vi enabled" />
        <CapBadge on={host.capabilities.vhostNet} label="vhost-net" title="/dev/vhost-net" />
        <CapBadge on={host.nics.some((n) => n.sriovTotalVfs > 0)} label="SR-IOV" title="A NIC with SR-IOV" />
        <CapBadge on={host.capabilities.ovs} label="OVS" title="Open vSwitch" />
        <CapBadge on={host.capabilities.ept || host.capabilities.npt} label="EPT/NPT" title="Nested paging" />
        {host.numaNodes.length > 0 && (
          <span className="muted" data-testid="host-cpu-counts">
            {host.cpuCounts.total} CPUs: {formatFreeCpus(host.cpuCounts)}
          </span>
        )}
      </div>
    </>
  );
}
