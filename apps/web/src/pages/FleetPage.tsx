import { useMemo, useState } from 'react';
import { CapacityBar, CapBadge, StateBadge } from '../components/Bars';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { FleetDocument } from '@netpin/client/operations';
import { formatMiB } from '../lib/format';
import { useQuery } from '../lib/hooks';
import { href } from '../lib/router';
import { filterAndSort, summarize, type FleetFilter, type SortKey } from './fleet-model';
import { WhatIf } from './WhatIf';

const HOST_STATES = ['REGISTERED', 'DISCOVERING', 'READY', 'MAINTENANCE', 'UNREACHABLE'];
const SORTS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'state', label: 'State' },
  { key: 'cpusFree', label: 'Free CPUs' },
  { key: 'vfsFree', label: 'Free VFs' },
];

export function FleetPage() {
  const q = useQuery(FleetDocument, { first: 200 }, { pollMs: 15000 });
  const [filter, setFilter] = useState<FleetFilter>({ text: '', state: '', sriovOnly: false });
  const [sort, setSort] = useState<SortKey>('name');
  const [desc, setDesc] = useState(false);
  const summaries = useMemo(() => (q.data?.hosts.nodes ?? []).map(summarize), [q.data]);
  const rows = useMemo(() => filterAndSort(summaries, filter, sort, desc), [summaries, filter, sort, desc]);

  const sortBy = (key: SortKey) => {
    if (key === sort) setDesc(!desc);
    else {
      setSort(key);
      setDesc(key === 'cpusFree' || key === 'vfsFree');
    }
  };

  return (
    <section aria-labelledby="fleet-title">
      <header className="page-head">
        <h1 id="fleet-title">Fleet</h1>
        {q.data && <span className="muted">{q.data.hosts.totalCount} hosts</span>}
      </header>
      <div className="toolbar" role="search">
        <label>
          Filter
          <input
            type="search"
            placeholder="name, address or label"
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
            data-testid="fleet-filter"
          />
        </label>
        <label>
          State
          <select value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.target.value })} data-testid="fleet-state-filter">
            <option value="">any</option>
            {HOST_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={filter.sriovOnly} onChange={(e) => setFilter({ ...filter, sriovOnly: e.target.checked })} />{' '}
          SR-IOV only
        </label>
        <span className="sort-buttons" role="group" aria-label="Sort hosts by">
          Sort:
          {SORTS.map((s) => (
            <button
              key={s.key}
              type="button"
              className={`btn btn-small${sort === s.key ? ' active' : ''}`}
              aria-pressed={sort === s.key}
              onClick={() => sortBy(s.key)}
              data-testid={`sort-${s.key}`}
            >
              {s.label}
              {sort === s.key ? (desc ? ' ↓' : ' ↑') : ''}
            </button>
          ))}
        </span>
      </div>
      {q.loading && !q.data && <Loading what="Loading hosts" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load hosts" />}
      {q.data && rows.length === 0 && <Empty>No host matches.</Empty>}
      <ul className="host-list">
        {rows.map(({ host, nodes, sriov }) => (
          <li key={host.id} className="card host-row" data-testid={`host-row-${host.name}`} data-host-state={host.state}>
            <div className="host-row-head">
              <a href={href('hosts', host.name)} className="host-name">
                {host.name}
              </a>
              <StateBadge state={host.state} />
              <span className="muted">{host.address}</span>
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
                <div key={n.index} className="node-cap" data-testid={`host-${host.name}-node-${n.index}`}>
                  <div className="node-cap-title">
                    NUMA {n.index} <span className="muted">· {formatMiB(n.memoryMiB)} RAM</span>
                  </div>
                  <CapacityBar label="CPUs" free={n.cpusFree} total={n.cpusTotal} />
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
              ))}
            </div>
          </li>
        ))}
      </ul>
      {/* capacity needs the same access as the host list: one error box is enough */}
      {q.data && <WhatIf />}
    </section>
  );
}
