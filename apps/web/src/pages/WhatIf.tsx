import { useState } from 'react';
import { ErrorBox } from '../components/Status';
import { CapacityDocument, NetworksDocument, type CapacityQuery, type VmInput } from '@netpin/client/operations';
import { useDebounced, useQuery } from '../lib/hooks';
import { DATAPATH_CHOICES, HUGEPAGE_CHOICES, type DatapathChoice, type HugepageChoice } from '../wizard/form';

function CapacityResult({ capacity, loading }: { capacity: CapacityQuery['capacity']; loading: boolean }) {
  return (
    <div aria-live="polite" data-testid="whatif-result">
      <p className="big">
        <strong data-testid="whatif-total">{capacity.total}</strong> more fit{loading ? ' (updating…)' : ''}
      </p>
      {capacity.byDatapath.length > 0 && (
        <p className="muted small">By datapath: {capacity.byDatapath.map((d) => `${d.datapaths} ${d.count}`).join(' · ')}</p>
      )}
      <ul className="inline-list">
        {capacity.perHost.map((h) => (
          <li key={h.hostName}>
            {h.hostName}: <strong>{h.count}</strong>
            {h.byDatapath.length > 1 && (
              <span className="muted small"> ({h.byDatapath.map((d) => `${d.count} ${d.datapaths}`).join(', ')})</span>
            )}
          </li>
        ))}
      </ul>
      {[...capacity.requestReasons.map((r) => `${r.code}: ${r.detail}`), ...capacity.refusals.map((r) => `${r.code} on ${r.hosts} host(s)`)]
        .slice(0, 4)
        .map((line) => (
          <p key={line} className="muted small" data-testid="whatif-refusal">
            {line}
          </p>
        ))}
    </div>
  );
}

/** "How many more VMs of this shape fit": asks the placement engine via capacity(). */
export function WhatIf() {
  const [vcpus, setVcpus] = useState('4');
  const [memory, setMemory] = useState('4096');
  const [hugepages, setHugepages] = useState<HugepageChoice>('NONE');
  const [network, setNetwork] = useState('');
  const [datapath, setDatapath] = useState<DatapathChoice>('AUTO');
  const nets = useQuery(NetworksDocument, {});

  const v = Number(vcpus);
  const m = Number(memory);
  const valid = Number.isInteger(v) && v > 0 && Number.isInteger(m) && m >= 128;
  const input: VmInput = {
    name: 'what-if',
    vcpus: valid ? v : 1,
    memoryMiB: valid ? m : 128,
    hugepages,
    guestVirtio: true,
    guestVfDriver: datapath === 'SRIOV' || datapath === 'AUTO',
    interfaces: network ? [{ network, datapath }] : [],
  };
  const debounced = useDebounced(input, 400);
  const q = useQuery(CapacityDocument, { input: debounced }, { skip: !valid });

  return (
    <section className="card whatif" aria-labelledby="whatif-title" data-testid="what-if">
      <h2 id="whatif-title">What if: how many more VMs of this shape fit?</h2>
      <div className="form-row">
        <label>
          vCPUs
          <input type="number" min={1} value={vcpus} onChange={(e) => setVcpus(e.target.value)} data-testid="whatif-vcpus" />
        </label>
        <label>
          Memory (MiB)
          <input
            type="number"
            min={128}
            step={256}
            value={memory}
            onChange={(e) => setMemory(e.target.value)}
            data-testid="whatif-memory"
          />
        </label>
        <label>
          Hugepages
          <select value={hugepages} onChange={(e) => setHugepages(e.target.value as HugepageChoice)}>
            {HUGEPAGE_CHOICES.map((h) => (
              <option key={h}>{h}</option>
            ))}
          </select>
        </label>
        <label>
          Network
          <select value={network} onChange={(e) => setNetwork(e.target.value)} data-testid="whatif-network">
            <option value="">(no interface)</option>
            {(nets.data?.networks ?? []).map((n) => (
              <option key={n.id} value={n.name}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Datapath
          <select value={datapath} onChange={(e) => setDatapath(e.target.value as DatapathChoice)} disabled={!network}>
            {DATAPATH_CHOICES.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
      </div>
      {!valid && <p className="field-error">Enter a positive vCPU count and at least 128 MiB.</p>}
      {q.error && <ErrorBox error={q.error} title="Capacity query failed" />}
      {valid && q.data && <CapacityResult capacity={q.data.capacity} loading={q.loading} />}
      {valid && !q.data && q.loading && <p className="status">Computing…</p>}
    </section>
  );
}
