import { formatFreeCpus } from '@netpin/client/display';
import { CapacityBar, CapBadge, StateBadge } from '../components/Bars';
import { formatMiB } from '../lib/format';
import { href } from '../lib/router';
import type { HostSummary, NodeCapacity } from './fleet-model';

function NodeCapacityCard({ host, n }: { host: string; n: NodeCapacity }) {
  return (
    <div className="node-cap" data-testid={`host-${host}-node-${n.index}`}>
      <div className="node-cap-title">
        NUMA {n.index} <span className="muted">· {formatMiB(n.memoryMiB)} RAM</span>
      </div>
      <CapacityBar label="CPUs" free={n.cpusFree} total={n.cpusTotal} />
      {n.cpusReserved > 0 && (
        <div className="muted small" title="Reserved CPUs run the host itself and are never given to VMs: they count in neither figure">
          +{n.cpusReserved} reserved for the host
        </div>
      )}
      {n.hugepages.map((h) => (
        <CapacityBar
          key={h.sizeKiB}
          label={h.sizeKiB >= 1048576 ? '1G pages' : `${h.sizeKiB / 1024}M pages`}
          free={h.free}
          total={h.total}
        />
      ))}
      {n.vfsTotal > 0 && <CapacityBar label="VFs" free={n.vfsFree} total={n.vfsTotal} />}
    </div>
  );
}

/** One host of the fleet list: identity, capabilities, and capacity per NUMA node. */
export function FleetHostRow({ summary }: { summary: HostSummary }) {
  const { host, nodes, sriov } = summary;
  return (
    <li className="card host-row" data-testid={`host-row-${host.name}`} data-host-state={host.state}>
      <div className="host-row-head">
        <a href={href('hosts', host.name)} className="host-name">
          {host.name}
        </a>
        <StateBadge state={host.state} />
        <span className="muted">{host.address}</span>
        <span className="muted small" data-testid={`host-${host.name}-cpus`}>
          CPUs {formatFreeCpus(host.cpuCounts)}
        </span>
        <span className="badges">
          <CapBadge on={host.capabilities.iommu} label="IOMMU" title="VT-d / AMD-Vi enabled" />
          <CapBadge on={host.capabilities.vhostNet} label="vhost-net" title="/dev/vhost-net" />
          <CapBadge on={sriov} label="SR-IOV" title="A NIC with SR-IOV" />
        </span>
        {host.labels.length > 0 && (
          <span className="labels">
            {host.labels.map((l) => (
              <span key={l.key} className="label">
                {l.key}={l.value}
              </span>
            ))}
          </span>
        )}
      </div>
      {host.stateReason && <p className="muted small">{host.stateReason}</p>}
      <div className="node-grid">
        {nodes.length === 0 && <span className="muted small">No topology yet</span>}
        {nodes.map((n) => (
          <NodeCapacityCard key={n.index} host={host.name} n={n} />
        ))}
      </div>
    </li>
  );
}
