import { Empty, ErrorBox, Loading } from '../components/Status';
import { CheckDriftDocument, HostDriftDocument, ReconcileHostDocument } from '@netpin/client/operations';
import { formatTime } from '../lib/format';
import { useMutation, useQuery } from '../lib/hooks';

/** Differences the drift check found between the host and the plans of its VMs. */
export function HostDrift({ hostId }: { hostId: string }) {
  const q = useQuery(HostDriftDocument, { hostId });
  const [check, checking] = useMutation(CheckDriftDocument);
  const [reconcile, reconciling] = useMutation(ReconcileHostDocument);
  const events = q.data?.driftEvents ?? [];

  return (
    <section aria-labelledby="drift-title" data-testid="host-drift">
      <header className="page-head">
        <h2 id="drift-title">Drift</h2>
        <button
          type="button"
          className="btn"
          disabled={checking.running}
          onClick={() => void check({ hostId }).then(() => q.refetch())}
          data-testid="check-drift"
        >
          {checking.running ? 'Checking…' : 'Check now'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={reconciling.running}
          onClick={() => void reconcile({ hostId }).then(() => q.refetch())}
          data-testid="reconcile-host"
        >
          {reconciling.running ? 'Re-applying…' : 'Re-apply every VM'}
        </button>
      </header>
      {checking.error && <ErrorBox error={checking.error} title="Drift check failed to start" />}
      {reconciling.error && <ErrorBox error={reconciling.error} title="Reconcile failed to start" />}
      {q.loading && !q.data && <Loading what="Loading drift events" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load drift events" />}
      {q.data && events.length === 0 && <Empty>No drift recorded: the host matches its VMs' plans.</Empty>}
      {events.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Detected</th>
              <th>VM</th>
              <th>Field</th>
              <th>Expected</th>
              <th>Found</th>
              <th>Repaired</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-testid="drift-row" data-repaired={e.repairedAt ? 'yes' : 'no'}>
                <td>{formatTime(e.detectedAt)}</td>
                <td>{e.vmName ?? e.vmId?.slice(0, 8) ?? '—'}</td>
                <td>
                  <code>{e.field}</code>
                </td>
                <td>
                  <code>{e.expected}</code>
                </td>
                <td>
                  <code>{e.actual}</code>
                </td>
                <td>{e.repairedAt ? formatTime(e.repairedAt) : 'open'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
