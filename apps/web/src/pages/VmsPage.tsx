import { useState } from 'react';
import { describeInterface, describeState, sourceWord } from '@netpin/client/display';
import { DeleteVmDocument, VmsDocument, type VmsQuery } from '@netpin/client/operations';
import { StateBadge } from '../components/Bars';
import { ConfirmButton } from '../components/Confirm';
import { Pager, usePager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { formatMiB, formatShortTime, formatTime } from '../lib/format';
import { useMutation, useQuery } from '../lib/hooks';
import { href } from '../lib/router';

type Vm = VmsQuery['vms']['nodes'][number];

const VM_STATES = ['PENDING', 'PROVISIONING', 'RUNNING', 'FAILED', 'DELETING', 'DELETED'];
const PAGE_SIZE = 100;

function Interfaces({ vm }: { vm: Vm }) {
  return (
    <>
      {vm.interfaces.map((i) => (
        <div key={i.index} title={describeInterface(i)}>
          {i.networkName ?? i.networkId.slice(0, 8)}:{' '}
          <span className={`badge dp dp-${(i.datapath ?? 'pending').toLowerCase()}`}>{i.datapath ?? 'pending'}</span>
          {/* a VF's queues are the hardware's: only virtio queue counts are the plan's */}
          {i.model === 'virtio' && i.queues !== null && i.queues > 1 ? <span className="muted"> ×{i.queues}q</span> : null}
        </div>
      ))}
    </>
  );
}

function VmRow({ vm, deleting, onDelete }: { vm: Vm; deleting: boolean; onDelete: () => void }) {
  return (
    <tr data-testid={`vm-row-${vm.name}`} data-vm-state={vm.state}>
      <th scope="row">{vm.name}</th>
      <td>
        <StateBadge state={vm.state} />
        {vm.errorCode && (
          <div className="small field-error" title={vm.errorMessage ?? ''}>
            {vm.errorCode}: {vm.errorMessage}
          </div>
        )}
        {vm.planState && (
          <div className="muted small" title={`plan ${describeState(vm.planState, formatTime)}`}>
            plan {sourceWord(vm.planState.source)} {vm.planState.at ? formatShortTime(vm.planState.at) : ''}
          </div>
        )}
      </td>
      <td>
        {vm.hostName ? <a href={href('hosts', vm.hostName)}>{vm.hostName}</a> : '—'}
        {vm.numaNode !== null ? <span className="muted"> / node {vm.numaNode}</span> : null}
      </td>
      <td>
        {vm.vcpus} vCPU · {formatMiB(vm.memoryMiB)}
      </td>
      <td>
        <Interfaces vm={vm} />
      </td>
      <td className="small">{formatTime(vm.createdAt)}</td>
      <td>
        {vm.state !== 'DELETED' && vm.state !== 'DELETING' && (
          <ConfirmButton
            label="Delete"
            question={`Delete ${vm.name}? Its CPUs and VFs are released.`}
            busy={deleting}
            onConfirm={onDelete}
            testId={`delete-vm-${vm.name}`}
          />
        )}
      </td>
    </tr>
  );
}

function VmTable({ vms, deleting, remove }: { vms: readonly Vm[]; deleting: string | null; remove: (id: string) => void }) {
  return (
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
          {vms.map((vm) => (
            <VmRow key={vm.id} vm={vm} deleting={deleting === vm.id} onDelete={() => remove(vm.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function VmStateFilter({ state, onChange }: { state: string; onChange: (state: string) => void }) {
  return (
    <div className="toolbar">
      <label>
        State
        <select value={state} onChange={(e) => onChange(e.target.value)} data-testid="vm-state-filter">
          <option value="">any but deleted</option>
          {VM_STATES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
    </div>
  );
}

export function VmsPage() {
  const [state, setState] = useState('');
  const pager = usePager();
  const q = useQuery(
    VmsDocument,
    { filter: state ? { state: state as Vm['state'] } : null, first: PAGE_SIZE, after: pager.after },
    { pollMs: 10000 },
  );
  const [deleteVm, del] = useMutation(DeleteVmDocument);
  const [deleting, setDeleting] = useState<string | null>(null);
  const remove = (id: string) => {
    setDeleting(id);
    void deleteVm({ id }).then((r) => {
      setDeleting(null);
      if (r) q.refetch();
    });
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
      <VmStateFilter
        state={state}
        onChange={(v) => {
          setState(v);
          pager.reset();
        }}
      />
      {del.error && <ErrorBox error={del.error} title="Delete failed" />}
      {del.data && (
        <p className="status" role="status">
          Deletion of {del.data.deleteVm.targetName ?? 'the VM'} queued:{' '}
          <a href={href('operations', del.data.deleteVm.id)} data-testid="vm-delete-follow">
            follow its operation
          </a>
        </p>
      )}
      {q.loading && !q.data && <Loading what="Loading VMs" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load VMs" />}
      {q.data && q.data.vms.nodes.length === 0 && <Empty>{state ? `No ${state} VMs.` : 'No VMs yet.'}</Empty>}
      {q.data && q.data.vms.nodes.length > 0 && <VmTable vms={q.data.vms.nodes} deleting={deleting} remove={remove} />}
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
