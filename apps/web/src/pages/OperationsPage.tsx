import { useCallback, useEffect, useState } from 'react';
import { ProgressBar, StateBadge } from '../components/Bars';
import { Pager, usePager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { OperationDocument, OperationsDocument, OperationUpdatedDocument, type OperationFieldsFragment } from '@netpin/client/operations';
import { formatTime } from '../lib/format';
import { useQuery, useSubscription } from '../lib/hooks';
import { href } from '../lib/router';

type Op = OperationFieldsFragment;

/** How often to re-read operations while the live subscription is down. */
export const FALLBACK_POLL_MS = 2000;
export const BACKSTOP_POLL_MS = 5000;

/**
 * The snapshot to show when two sources may disagree: a finished one beats an unfinished
 * one, then the one further along; on a tie the query (read later) wins.
 */
export function newerSnapshot(live: Op | null | undefined, queried: Op | null | undefined): Op | undefined {
  if (!live) return queried ?? undefined;
  if (!queried) return live;
  const liveDone = live.finishedAt != null;
  const queriedDone = queried.finishedAt != null;
  if (liveDone !== queriedDone) return queriedDone ? queried : live;
  return queried.progress >= live.progress ? queried : live;
}

/** Newer snapshot of the same operation wins; unknown operations are prepended. */
export function mergeOperation(list: readonly Op[], op: Op): Op[] {
  const i = list.findIndex((o) => o.id === op.id);
  if (i === -1) return [op, ...list];
  const copy = [...list];
  copy[i] = op;
  return copy;
}

function LiveIndicator({ connected, error, polling = false }: { connected: boolean; error: Error | undefined; polling?: boolean }) {
  if (error) {
    return (
      <span className="badge state-failed" title={`Live updates stopped: ${error.message}`} data-testid="live-off">
        {polling ? 'live updates off · refreshing every few seconds' : 'live updates off'}
      </span>
    );
  }
  return <span className={`badge ${connected ? 'state-running' : ''}`}>{connected ? 'live' : 'connecting'}</span>;
}

/**
 * The listed page with the live updates applied: updates outside the state filter are left
 * out, and an older page shows only what it listed. While live updates are off, the newer of
 * the two snapshots wins.
 */
function withUpdates(listed: Op[], updates: readonly Op[], view: { state: string; page: number; liveOff: boolean }): Op[] {
  let ops = listed;
  for (const u of [...updates].reverse()) {
    if (view.state && u.state !== view.state) continue;
    const queried = ops.find((o) => o.id === u.id);
    // an older page shows only what it listed: new operations belong on the first one
    if (view.page > 1 && !queried) continue;
    const shown = view.liveOff ? newerSnapshot(u, queried) : u;
    if (shown) ops = mergeOperation(ops, shown);
  }
  return ops;
}

function OperationRow({ op }: { op: Op }) {
  return (
    <li className="card op-row" data-testid={`op-row-${op.id}`} data-op-state={op.state}>
      <a href={href('operations', op.id)} className="op-title">
        {op.kind}{' '}
        <span className="muted">
          {op.targetType} {op.targetName ?? op.targetId?.slice(0, 8)}
        </span>
      </a>
      <StateBadge state={op.state} />
      <ProgressBar value={op.progress} state={op.state} label={`${op.kind} progress`} testId={`op-progress-${op.id}`} />
      <span className="muted small">{op.step ?? ''}</span>
      <span className="muted small">{formatTime(op.createdAt)}</span>
      {op.errorCode && <span className="field-error small">{op.errorCode}</span>}
    </li>
  );
}

export function OperationsPage() {
  const [state, setState] = useState('');
  // polls only while the subscription is broken: a lost update must not freeze a row
  const [liveOff, setLiveOff] = useState(false);
  const pager = usePager();
  // "any" leaves the variable out rather than sending null (which older APIs refused)
  const q = useQuery(
    OperationsDocument,
    { ...(state ? { state: state as Op['state'] } : {}), first: 100, ...(pager.after ? { after: pager.after } : {}) },
    { pollMs: liveOff ? FALLBACK_POLL_MS : undefined },
  );
  const [updates, setUpdates] = useState<Op[]>([]);
  const onData = useCallback((d: { operationUpdated: Op }) => setUpdates((u) => mergeOperation(u, d.operationUpdated)), []);
  const sub = useSubscription(OperationUpdatedDocument, { id: null }, onData);
  const refetchList = q.refetch;
  useEffect(() => {
    if (!sub.error) return;
    setLiveOff(true);
    refetchList();
  }, [sub.error, refetchList]);

  const ops = withUpdates(q.data?.operations.nodes ?? [], updates, { state, page: pager.page, liveOff });

  return (
    <section aria-labelledby="ops-title">
      <header className="page-head">
        <h1 id="ops-title">Operations</h1>
        <LiveIndicator connected={sub.connected} error={sub.error} polling={liveOff} />
      </header>
      <div className="toolbar">
        <label>
          State
          <select
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              pager.reset();
            }}
            data-testid="op-state-filter"
          >
            <option value="">any</option>
            {['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={q.refetch}>
          Refresh
        </button>
      </div>
      {q.loading && !q.data && <Loading what="Loading operations" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load operations" />}
      {q.data && ops.length === 0 && <Empty>No operations.</Empty>}
      <ul className="op-list">
        {ops.map((op) => (
          <OperationRow key={op.id} op={op} />
        ))}
      </ul>
      {q.data && (
        <Pager
          pager={pager}
          pageInfo={q.data.operations.pageInfo}
          shown={q.data.operations.nodes.length}
          total={q.data.operations.totalCount}
          testId="op-pager"
        />
      )}
    </section>
  );
}

/** A host target links to its page; a VM to the VM list (it has no page of its own). */
function TargetLink({ op }: { op: Op }) {
  if (!op.targetName) return null;
  if (op.targetType === 'host') return <a href={href('hosts', op.targetName)}>{op.targetName}</a>;
  if (op.targetType === 'vm') return <a href={href('vms')}>{op.targetName}</a>;
  return <strong>{op.targetName}</strong>;
}

export function OperationDetailPage({ id }: { id: string }) {
  const [liveOff, setLiveOff] = useState(false);
  const [live, setLive] = useState<Op | null>(null);
  const [polledDone, setPolledDone] = useState(false);
  // Until the operation finished: polls fast while the subscription is broken, and slowly as
  // a backstop while it works (an update that lands between the first read and the server
  // registering the subscription is never pushed, so the page would otherwise wait forever).
  const q = useQuery(OperationDocument, { id }, { pollMs: polledDone ? undefined : liveOff ? FALLBACK_POLL_MS : BACKSTOP_POLL_MS });
  const onData = useCallback((d: { operationUpdated: Op }) => setLive(d.operationUpdated), []);
  const finished = (live ?? q.data?.operation)?.finishedAt != null;
  const sub = useSubscription(OperationUpdatedDocument, { id }, onData, { skip: finished && live === null && q.data !== undefined });
  const refetchOp = q.refetch;
  useEffect(() => {
    if (!sub.error) return;
    setLiveOff(true);
    refetchOp();
  }, [sub.error, refetchOp]);
  const op = newerSnapshot(live, q.data?.operation);
  const done = op?.finishedAt != null;
  useEffect(() => {
    if (done) setPolledDone(true);
  }, [done]);

  if (q.loading && !op) return <Loading what="Loading operation" />;
  if (q.error && !op) return <ErrorBox error={q.error} title="Cannot load operation" />;
  if (!op) return null;
  return (
    <section aria-labelledby="op-title" data-testid="operation-detail" data-op-state={op.state}>
      <p className="crumbs">
        <a href={href('operations')}>Operations</a> / {op.kind} {op.targetName ?? op.id.slice(0, 8)}
      </p>
      <header className="page-head">
        <h1 id="op-title">{op.kind}</h1>
        <StateBadge state={op.state} />
        {!op.finishedAt && <LiveIndicator connected={sub.connected} error={sub.error} polling={liveOff} />}
      </header>
      <dl className="facts">
        <dt>Target</dt>
        <dd>
          {op.targetType} <TargetLink op={op} /> <code className="muted small">{op.targetId ?? '—'}</code>
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(op.createdAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatTime(op.finishedAt)}</dd>
      </dl>
      <ProgressBar value={op.progress} state={op.state} label="Overall progress" testId="op-progress" />
      <ol className="steps" data-testid="op-steps">
        {op.steps.map((s) => (
          <li key={s.name} className={`step step-${s.state.toLowerCase()}`} data-step-state={s.state}>
            <span className="step-mark" aria-hidden="true">
              {s.state === 'SUCCEEDED' ? '✓' : s.state === 'FAILED' ? '✗' : s.state === 'RUNNING' ? '…' : '○'}
            </span>
            {s.name} <span className="muted small">{s.state.toLowerCase()}</span>
          </li>
        ))}
      </ol>
      {op.errorCode && (
        <div className="status status-error" role="alert" data-testid="op-error">
          <strong>{op.errorCode}</strong>: {op.errorMessage}
          {op.errorStderr && (
            <details open>
              <summary>stderr</summary>
              <pre data-testid="op-stderr">{op.errorStderr}</pre>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
