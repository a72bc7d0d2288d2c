import { useState } from 'react';
import { ErrorBox } from '../components/Status';
import { ExplainPlacementDocument, type PreviewPlacementQuery, type VmInput } from '@netpin/client/operations';
import { formatCpuList } from '../lib/format';
import { useQuery } from '../lib/hooks';

type Preview = PreviewPlacementQuery['previewPlacement'];
type Plan = NonNullable<Preview['plan']>;

export interface PreviewPanelProps {
  preview: Preview | undefined;
  loading: boolean;
  error: Error | undefined;
  /** Why the form cannot be previewed yet (validation), if it cannot */
  invalidReason: string | null;
  input: VmInput | null;
  hosts: readonly string[];
}

function CpuMap({ plan }: { plan: Plan }) {
  const rows: { what: string; cpus: readonly number[]; role: string }[] = [
    ...plan.vcpuPins.map((p) => ({ what: `vCPU ${p.vcpu}`, cpus: p.cpus, role: 'vcpu' })),
    ...(plan.emulatorCpus.length > 0 ? [{ what: 'emulator', cpus: plan.emulatorCpus, role: 'emulator' }] : []),
    ...(plan.vhostCpus.length > 0 ? [{ what: 'vhost', cpus: plan.vhostCpus, role: 'vhost' }] : []),
    ...(plan.isolatedSiblings.length > 0 ? [{ what: 'kept idle (isolation)', cpus: plan.isolatedSiblings, role: 'isolation' }] : []),
    ...plan.irqAffinity.map((a) => ({ what: `IRQ ${a.irq} (${a.nicName} q${a.queue})`, cpus: a.cpus, role: 'irq' })),
    ...plan.rps.map((r) => ({ what: `RPS ${r.nicName} rx-${r.rxQueue}`, cpus: r.cpus, role: 'irq' })),
  ];
  return (
    <table className="table compact" data-testid="preview-cpu-map">
      <caption>CPU map</caption>
      <thead>
        <tr>
          <th scope="col">Thread</th>
          <th scope="col">Host CPUs</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.what} className={`role-row role-${r.role}`}>
            <th scope="row">
              <span className={`swatch role-${r.role}`} aria-hidden="true" /> {r.what}
            </th>
            <td>
              <code>{formatCpuList(r.cpus)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PlanView({ plan }: { plan: Plan }) {
  return (
    <div data-testid="preview-plan">
      <p className="big">
        Fits on <strong data-testid="preview-host">{plan.hostName}</strong>, NUMA node{plan.numaNodes.length > 1 ? 's' : ''}{' '}
        <strong data-testid="preview-numa">{plan.numaNodes.join(', ')}</strong>
        <span
          className="muted"
          title={plan.score.breakdown.map((t) => `${t.weigher}: ${t.value.toFixed(2)} × ${t.weight} = ${t.weighted.toFixed(2)}`).join('\n')}
        >
          {' '}
          · score {plan.score.total.toFixed(1)} · memory {plan.memoryMode.toLowerCase()}
          {plan.hugepages !== 'NONE' ? `, ${plan.hugepages.replace('SIZE_', '')} pages` : ''}
        </span>
      </p>
      <table className="table compact" data-testid="preview-interfaces">
        <caption>Interfaces</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Network</th>
            <th scope="col">Datapath</th>
            <th scope="col">Backed by</th>
            <th scope="col">Queues</th>
            <th scope="col">Predicted cost</th>
          </tr>
        </thead>
        <tbody>
          {plan.interfaces.map((i) => (
            <tr key={i.index} data-testid={`preview-iface-${i.index}`}>
              <td>{i.index}</td>
              <td>{i.networkName}</td>
              <td>
                <span className={`badge dp dp-${i.datapath.toLowerCase()}`} data-testid={`preview-iface-${i.index}-datapath`}>
                  {i.datapath}
                </span>{' '}
                <span className="muted">{i.model === 'vf' ? 'VF passthrough' : i.model}</span>
              </td>
              <td>
                {i.nicName ?? '—'}
                {i.vfIndex !== null ? ` VF ${i.vfIndex}` : ''}
                {i.sourceDevice ? <span className="muted"> ({i.sourceDevice})</span> : null}
                {i.vlan !== null ? <span className="muted"> vlan {i.vlan}</span> : null}
                {i.failover ? (
                  <span className="badge" title="virtio backup paired with the VF for migration">
                    failover
                  </span>
                ) : null}
                {i.nicName && !i.numaLocal ? (
                  <span className="badge state-maintenance" title={`NIC on node ${i.numaNode ?? '?'}: packets cross the interconnect`}>
                    remote NUMA
                  </span>
                ) : null}
              </td>
              <td title={i.queues === null ? 'set by the VF driver' : undefined}>{i.queues ?? '—'}</td>
              <td data-testid={`preview-iface-${i.index}-cost`}>
                <span title="per-packet cost relative to SR-IOV">×{i.cost.relativeCost.toFixed(1)}</span>
                <span className="muted small">
                  {' '}
                  · exits {i.cost.exitsPerPacket.toLowerCase().replace(/_/g, ' ')} · {i.cost.cpusPerFlow} CPUs/flow
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CpuMap plan={plan} />
      {plan.penalties.length > 0 && (
        <div className="penalties">
          <h3>Trade-offs</h3>
          <ul>
            {plan.penalties.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function WhyNotHost({ input, hosts }: { input: VmInput; hosts: readonly string[] }) {
  const [host, setHost] = useState('');
  const q = useQuery(ExplainPlacementDocument, { input, host }, { skip: host === '' });
  return (
    <div className="why-not" data-testid="why-not">
      <label>
        Why not this host?
        <select value={host} onChange={(e) => setHost(e.target.value)} data-testid="why-not-host">
          <option value="">(pick a host)</option>
          {hosts.map((h) => (
            <option key={h}>{h}</option>
          ))}
        </select>
      </label>
      {q.loading && host !== '' && <p className="status">Asking…</p>}
      {q.error && <ErrorBox error={q.error} title="Explain failed" />}
      {q.data && host !== '' && (
        <div aria-live="polite" data-testid="why-not-result">
          {q.data.explainPlacement.fits ? (
            <p>{q.data.explainPlacement.hostName} would fit this VM (another host scored higher).</p>
          ) : (
            <ul className="reasons">
              {q.data.explainPlacement.reasons.map((r, k) => (
                <li key={k}>
                  <code>{r.code}</code> {r.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

export function PreviewPanel({ preview, loading, error, invalidReason, input, hosts }: PreviewPanelProps) {
  return (
    <aside
      className="card preview"
      aria-labelledby="preview-title"
      aria-busy={loading}
      data-testid="preview-panel"
      data-state={
        invalidReason ? 'invalid' : loading ? 'loading' : preview ? (preview.fits ? 'fits' : 'rejected') : error ? 'error' : 'idle'
      }
    >
      <h2 id="preview-title">Placement preview {loading && <span className="spinner" aria-label="updating" />}</h2>
      {invalidReason && (
        <p className="muted" data-testid="preview-invalid">
          {invalidReason}
        </p>
      )}
      {!invalidReason && error && <ErrorBox error={error} title="Preview failed" />}
      {!invalidReason && preview?.fits && preview.plan && <PlanView plan={preview.plan} />}
      {!invalidReason && preview && !preview.fits && (
        <div data-testid="preview-rejection">
          <p className="status status-error">
            <strong>Does not fit:</strong> {preview.rejection?.message ?? 'no host can take this VM'}
            {preview.rejection ? <span className="muted"> ({preview.rejection.hostsConsidered} hosts considered)</span> : null}
          </p>
          {preview.rejection && preview.rejection.requestReasons.length > 0 && (
            <ul className="reasons">
              {preview.rejection.requestReasons.map((r, k) => (
                <li key={k}>
                  <code>{r.code}</code> {r.detail}
                </li>
              ))}
            </ul>
          )}
          {preview.rejection && preview.rejection.summary.length > 0 && (
            <table className="table compact" data-testid="rejection-summary">
              <caption>Why hosts were rejected</caption>
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col">Hosts</th>
                  <th scope="col">For example</th>
                </tr>
              </thead>
              <tbody>
                {preview.rejection.summary.map((s) => (
                  <tr key={s.code}>
                    <td>
                      <code>{s.code}</code>
                    </td>
                    <td>{s.hosts}</td>
                    <td>{s.examples.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {input && <WhyNotHost input={input} hosts={hosts} />}
        </div>
      )}
    </aside>
  );
}
