import { useMemo, useState } from 'react';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { FleetDocument } from '@netpin/client/operations';
import { useQuery } from '../lib/hooks';
import { filterAndSort, summarize, type FleetFilter, type SortKey } from './fleet-model';
import { FleetHostRow } from './FleetHostRow';
import { WhatIf } from './WhatIf';

const HOST_STATES = ['REGISTERED', 'DISCOVERING', 'READY', 'MAINTENANCE', 'UNREACHABLE'];
const SORTS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'state', label: 'State' },
  { key: 'cpusFree', label: 'Free CPUs' },
  { key: 'vfsFree', label: 'Free VFs' },
];

interface Sorting {
  sort: SortKey;
  desc: boolean;
  sortBy: (key: SortKey) => void;
}

/** Clicking the active key flips the order; capacity keys start with the most free. */
function useSorting(): Sorting {
  const [sort, setSort] = useState<SortKey>('name');
  const [desc, setDesc] = useState(false);
  const sortBy = (key: SortKey) => {
    if (key === sort) setDesc(!desc);
    else {
      setSort(key);
      setDesc(key === 'cpusFree' || key === 'vfsFree');
    }
  };
  return { sort, desc, sortBy };
}

function FleetToolbar({ filter, setFilter, sorting }: { filter: FleetFilter; setFilter: (f: FleetFilter) => void; sorting: Sorting }) {
  return (
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
        <input type="checkbox" checked={filter.sriovOnly} onChange={(e) => setFilter({ ...filter, sriovOnly: e.target.checked })} /> SR-IOV
        only
      </label>
      <span className="sort-buttons" role="group" aria-label="Sort hosts by">
        Sort:
        {SORTS.map((s) => (
          <button
            key={s.key}
            type="button"
            className={`btn btn-small${sorting.sort === s.key ? ' active' : ''}`}
            aria-pressed={sorting.sort === s.key}
            onClick={() => sorting.sortBy(s.key)}
            data-testid={`sort-${s.key}`}
          >
            {s.label}
            {sorting.sort === s.key ? (sorting.desc ? ' ↓' : ' ↑') : ''}
          </button>
        ))}
      </span>
    </div>
  );
}

export function FleetPage() {
  const q = useQuery(FleetDocument, { first: 200 }, { pollMs: 15000 });
  const [filter, setFilter] = useState<FleetFilter>({ text: '', state: '', sriovOnly: false });
  const sorting = useSorting();
  const summaries = useMemo(() => (q.data?.hosts.nodes ?? []).map(summarize), [q.data]);
  const rows = useMemo(() => filterAndSort(summaries, filter, sorting.sort, sorting.desc), [summaries, filter, sorting.sort, sorting.desc]);

  return (
    <section aria-labelledby="fleet-title">
      <header className="page-head">
        <h1 id="fleet-title">Fleet</h1>
        {q.data && <span className="muted">{q.data.hosts.totalCount} hosts</span>}
      </header>
      <FleetToolbar filter={filter} setFilter={setFilter} sorting={sorting} />
      {q.loading && !q.data && <Loading what="Loading hosts" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load hosts" />}
      {q.data && rows.length === 0 && <Empty>No host matches.</Empty>}
      <ul className="host-list">
        {rows.map((summary) => (
          <FleetHostRow key={summary.host.id} summary={summary} />
        ))}
      </ul>
      {/* capacity needs the same access as the host list: one error box is enough */}
      {q.data && <WhatIf />}
    </section>
  );
}
