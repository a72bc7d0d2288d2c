import { useState } from 'react';
import { ApiTokensDocument, AuditEventsDocument } from '@netpin/client/operations';
import { Empty, ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useDebounced, useQuery } from '../../lib/hooks';
import { href } from '../../lib/router';
import { actionLabel, targetLabel, type AuditRow } from './audit-format';

interface Filter {
  action: string;
  tokenId: string;
  first: number;
}

function AuditFilters({ f, onChange }: { f: Filter; onChange: (f: Filter) => void }) {
  const tokens = useQuery(ApiTokensDocument, {});
  return (
    <div className="toolbar" data-testid="audit-filters">
      <label>
        Action contains
        <input value={f.action} onChange={(e) => onChange({ ...f, action: e.target.value })} placeholder="Vm" data-testid="audit-action" />
      </label>
      <label>
        Token
        <select value={f.tokenId} onChange={(e) => onChange({ ...f, tokenId: e.target.value })} data-testid="audit-token">
          <option value="">any</option>
          {(tokens.data?.apiTokens ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Show
        <select value={f.first} onChange={(e) => onChange({ ...f, first: Number(e.target.value) })} data-testid="audit-first">
          {[100, 500].map((n) => (
            <option key={n} value={n}>
              newest {n}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function AuditTarget({ e }: { e: AuditRow }) {
  const label = targetLabel(e);
  if (e.targetKind === 'host' && e.targetName) return <a href={href('hosts', e.targetName)}>{label}</a>;
  return <span title={e.targetId ?? undefined}>{label}</span>;
}

function AuditEventRow({ e }: { e: AuditRow }) {
  const a = actionLabel(e.action);
  return (
    <tr data-testid="audit-row" data-action={e.action}>
      <td>{formatTime(e.at)}</td>
      <td>
        {e.tokenId ? <a href={href('admin', 'audit', e.tokenId)}>{e.actor}</a> : e.actor}
        {e.address && <div className="muted small">from {e.address}</div>}
      </td>
      <td>
        <code>{a.name}</code> <span className="muted small">{a.via}</span>
      </td>
      <td data-testid="audit-target">
        <AuditTarget e={e} />
      </td>
      <td>
        <span className={`badge ${e.result === 'ok' ? 'state-succeeded' : 'state-failed'}`}>{e.result}</span>
        {e.count > 1 && (
          <span className="muted small" data-testid="audit-count">
            {' '}
            × {e.count} in that minute
          </span>
        )}
      </td>
      <td className="audit-input">
        <details>
          <summary className="small">input</summary>
          <code className="small">{e.inputJson}</code>
          {e.requestId && <div className="muted small">request {e.requestId}</div>}
        </details>
      </td>
    </tr>
  );
}

function AuditTable({ events }: { events: readonly AuditRow[] }) {
  return (
    <div className="table-scroll">
      <table className="table" data-testid="audit-table">
        <caption>Newest first. Inputs are summaries with secrets removed.</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Result</th>
            <th scope="col">Input</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <AuditEventRow key={e.id} e={e} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every mutation on either transport: who, what, on what (by name), with what result. */
export function AuditPage({ tokenId }: { tokenId?: string }) {
  const [f, setF] = useState<Filter>({ action: '', tokenId: tokenId ?? '', first: 100 });
  const action = useDebounced(f.action.trim(), 300);
  const q = useQuery(AuditEventsDocument, { action: action || null, tokenId: f.tokenId || null, first: f.first }, { pollMs: 10_000 });
  const events = q.data?.auditEvents ?? [];
  return (
    <section aria-labelledby="audit-title">
      <header className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" className="btn" onClick={q.refetch} data-testid="audit-refresh">
          Refresh
        </button>
      </header>
      <AuditFilters f={f} onChange={setF} />
      {q.loading && !q.data && <Loading what="Loading the audit log" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load the audit log" />}
      {q.data && events.length === 0 && <Empty>No recorded action matches.</Empty>}
      {events.length > 0 && <AuditTable events={events} />}
    </section>
  );
}
