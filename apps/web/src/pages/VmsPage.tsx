import { useMemo, useState } from 'react';
import { StateBadge } from '../components/Bars';
import { ConfirmButton } from '../components/Confirm';
import { Pager, usePager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { DeleteVmDocument, HostNamesDocument, NetworksDocument, VmsDocument } from '@netpin/client/operations';
import { formatMiB, formatTime } from '../lib/format';
import { useMutation, useQuery } from '../lib/hooks';
import { href } from '../lib/router';

const VM_STATES = ['PENDING', 'PROVISIONING', 'RUNNING', 'FAILED', 'DELETING', 'DELETED'];
const PAGE_SIZE = 100;

export function VmsPage() {
  const [state, setState] = useState('');
  const pager = usePager();
  const q = useQuery(
    VmsDocument,
    { filter: state ? { state: state as never } : null, first: PAGE_SIZE, after: pager.after },
    { pollMs: 10000 },
  );
  const hosts = useQuery(HostNamesDocument, {});
  const nets = useQuery(NetworksDocument, {});
  const [deleteVm, del] = useMutation(DeleteVmDocument);
  const [deleting, setDeleting] = useState<string | null>(null);
  const hostName = useMemo(() => new Map((hosts.data?.hosts.nodes ?? []).map((h) => [h.id, h.name])), [hosts.data]);
  const netName = useMemo(() => new Map((nets.data?.networks ?? []).map((n) => [n.id, n.name])), [nets.data]);

  const remove = async (id: string) => {
    setDeleting(id);
    const r = await deleteVm({ id });
    setDeleting(null);
    if (r) q.refetch();
  };

  return (
    <section aria-labelledby="vms-title">
      <header className="page-head">
        <h1 id="vms-title">Virtual machines</h1>
        <span className="spacer" />
        <a className="btn btn-primary" href={href('vms', 'new')} data-testid="new-vm">
          Create VM
        </a>
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
            data-testid="vm-state-filter"
          >
            <option value="">any but deleted</option>
            {VM_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      {del.error && <ErrorBox error={del.error} title="Delete failed" />}
      {del.data && (
        <p className="status" role="status">
          Deletion queued: <a href={href('operations', del.data.deleteVm.id)}>operation {del.data.deleteVm.id.slice(0, 8)}</a>
        </p>
      )}
      {q.loading && !q.data && <Loading what="Loading VMs" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load VMs" />}
      {q.data && q.data.vms.nodes.length === 0 && <Empty>{state ? `No ${state} VMs.` : 'No VMs yet.'}</Empty>}
      {q.data && q.data.vms.nodes.length > 0 && (
        <div className="table-scroll">
          <table className="table" data-testid="vm-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Host / node</th>
                <th scope="col">Size</th>
                <th scope="col">Interfaces</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.vms.nodes.map((vm) => {
                const host = vm.hostId ? hostName.get(vm.hostId) : undefined;
                return (
                  <tr key={vm.id} data-testid={`vm-row-${vm.name}`} data-vm-state={vm.state}>
                    <th scope="row">{vm.name}</th>
                    <td>
                      <StateBadge state={vm.state} />
                      {vm.errorCode && (
                        <div className="small field-error" title={vm.errorMessage ?? ''}>
                          {vm.errorCode}: {vm.errorMessage}
                        </div>
                      )}
                    </td>
                    <td>
                      {host ? <a href={href('hosts', host)}>{host}</a> : vm.hostId ? vm.hostId.slice(0, 8) : '—'}
                      {vm.numaNode !== null ? <span className="muted"> / node {vm.numaNode}</span> : null}
                    </td>
                    <td>
                      {vm.vcpus} vCPU · {formatMiB(vm.memoryMiB)}
                    </td>
                    <td>
                      {vm.interfaces.map((i) => (
                        <div key={i.index}>
                          {netName.get(i.networkId) ?? i.networkId.slice(0, 8)}:{' '}
                          <span className={`badge dp dp-${(i.datapath ?? 'pending').toLowerCase()}`}>{i.datapath ?? 'pending'}</span>
                          {i.queues !== null && i.queues > 1 ? <span className="muted"> ×{i.queues}q</span> : null}
                        </div>
                      ))}
                    </td>
                    <td className="small">{formatTime(vm.createdAt)}</td>
                    <td>
                      {vm.state !== 'DELETED' && vm.state !== 'DELETING' && (
                        <ConfirmButton
                          label="Delete"
                          question={`Delete ${vm.name}? Its CPUs and VFs are released.`}
                          busy={deleting === vm.id}
                          onConfirm={() => void remove(vm.id)}
                          testId={`delete-vm-${vm.name}`}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {q.data && (
        <Pager
          pager={pager}
          pageInfo={q.data.vms.pageInfo}
          shown={q.data.vms.nodes.length}
          total={q.data.vms.totalCount}
          testId="vm-pager"
        />
      )}
    </section>
  );
}
