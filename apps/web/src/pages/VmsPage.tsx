import { useState } from 'react';
import { describeInterface, describeState, sourceWord } from '@netpin/client/display';
import {
  DeleteVmDocument,
  MigrateVmDocument,
  RebootVmDocument,
  StartVmDocument,
  StopVmDocument,
  VmsDocument,
  type VmState,
  type VmsQuery,
} from '@netpin/client/operations';
import { StateBadge } from '../components/Bars';
import { ConfirmButton } from '../components/Confirm';
import { Pager, usePager } from '../components/Pager';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { formatMiB, formatShortTime, formatTime } from '../lib/format';
import { useMutation, useQuery } from '../lib/hooks';
import { href } from '../lib/router';
import { canHotplug, NicPanel, RemoveNicButton, useNics, type Nics } from './VmNics';

type Vm = VmsQuery['vms']['nodes'][number];

/** Every VmState of the SDL, in lifecycle order: a Record, so the compiler refuses a missing or unknown one. */
const VM_STATE_ORDER: Record<VmState, number> = {
  PENDING: 0,
  PROVISIONING: 1,
  RUNNING: 2,
  STOPPING: 3,
  STOPPED: 4,
  STARTING: 5,
  REBOOTING: 6,
  MIGRATING: 7,
  FAILED: 8,
  DELETING: 9,
  DELETED: 10,
};
const VM_STATES = (Object.keys(VM_STATE_ORDER) as VmState[]).sort((a, b) => VM_STATE_ORDER[a] - VM_STATE_ORDER[b]);

/** What the buttons of a row may do; the API has the last word (CONFLICT when the state moved on). */
type PowerAction = 'start' | 'stop' | 'stop-release' | 'reboot' | 'migrate' | 'migrate-cold';
function powerActions(state: string): PowerAction[] {
  if (state === 'RUNNING') return ['stop', 'stop-release', 'reboot', 'migrate', 'migrate-cold'];
  if (state === 'STOPPED') return ['start', 'stop-release'];
  if (state === 'FAILED') return ['start', 'stop'];
  return [];
}
const ACTION_LABEL: Record<PowerAction, string> = {
  start: 'Start',
  stop: 'Stop',
  'stop-release': 'Stop & release',
  reboot: 'Reboot',
  // to the host placement chooses (never its own); LIVE keeps it running, COLD stops, moves and starts it
  migrate: 'Migrate',
  'migrate-cold': 'Migrate (cold)',
};
const PAGE_SIZE = 100;

function Interfaces({ vm, nics }: { vm: Vm; nics: Nics }) {
  return (
    <>
      {vm.interfaces.map((i) => (
        <div key={i.index} title={describeInterface(i)}>
          {i.networkName ?? i.networkId.slice(0, 8)}:{' '}
          <span className={`badge dp dp-${(i.datapath ?? 'pending').toLowerCase()}`}>{i.datapath ?? 'pending'}</span>
          {/* a VF's queues are the hardware's: only virtio queue counts are the plan's */}
          {i.model === 'virtio' && i.queues !== null && i.queues > 1 ? <span className="muted"> ×{i.queues}q</span> : null}
          {canHotplug(vm) && (
            <>
              {' '}
              <RemoveNicButton vm={vm} iface={i} nics={nics} />
            </>
          )}
        </div>
      ))}
    </>
  );
}

function PowerButtons({ vm, busy, onAction }: { vm: Vm; busy: boolean; onAction: (a: PowerAction) => void }) {
  return (
    <>
      {powerActions(vm.state).map((a) =>
        a === 'start' ? (
          <button key={a} type="button" className="btn" disabled={busy} onClick={() => onAction(a)} data-testid={`start-vm-${vm.name}`}>
            {ACTION_LABEL[a]}
          </button>
        ) : (
          <ConfirmButton
            key={a}
            label={ACTION_LABEL[a]}
            question={
              a === 'reboot'
                ? `Reboot ${vm.name}?`
                : a === 'stop'
                  ? `Stop ${vm.name}? It keeps its CPUs and VFs.`
                  : `Stop ${vm.name} and release its CPUs and VFs? Starting it again places it anew.`
            }
            busy={busy}
            onConfirm={() => onAction(a)}
            testId={`${a}-vm-${vm.name}`}
          />
        ),
      )}
    </>
  );
}

function VmRow({
  vm,
  deleting,
  onDelete,
  onAction,
  nics,
}: {
  vm: Vm;
  deleting: boolean;
  onDelete: () => void;
  onAction: (a: PowerAction) => void;
  nics: Nics;
}) {
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
        <Interfaces vm={vm} nics={nics} />
      </td>
      <td className="small">{formatTime(vm.createdAt)}</td>
      <td className="actions">
        <PowerButtons vm={vm} busy={deleting} onAction={onAction} />
        {canHotplug(vm) && (
          <button type="button" className="btn" disabled={nics.busy} onClick={() => nics.open(vm)} data-testid={`add-nic-${vm.name}`}>
            Add NIC
          </button>
        )}
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

function VmTable({
  vms,
  deleting,
  remove,
  act,
  nics,
}: {
  vms: readonly Vm[];
  deleting: string | null;
  remove: (id: string) => void;
  act: (id: string, a: PowerAction) => void;
  nics: Nics;
}) {
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
            <VmRow
              key={vm.id}
              vm={vm}
              deleting={deleting === vm.id}
              onDelete={() => remove(vm.id)}
              onAction={(a) => act(vm.id, a)}
              nics={nics}
            />
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

/** startVm / stopVm / rebootVm / migrateVm from the row buttons: the operation queued, or the API's error. */
function usePower(done: () => void) {
  const [start, started] = useMutation(StartVmDocument);
  const [stop, stopped] = useMutation(StopVmDocument);
  const [reboot, rebooted] = useMutation(RebootVmDocument);
  const [migrate, migrated] = useMutation(MigrateVmDocument);
  const [busy, setBusy] = useState<string | null>(null);
  const [last, setLast] = useState<PowerAction | null>(null);
  const act = (id: string, a: PowerAction) => {
    setBusy(id);
    setLast(a);
    const moving = a === 'migrate' || a === 'migrate-cold';
    const sent =
      a === 'start'
        ? start({ id }).then((r) => r?.startVm)
        : a === 'reboot'
          ? reboot({ id }).then((r) => r?.rebootVm)
          : moving
            ? migrate({ id, input: { strategy: a === 'migrate' ? 'LIVE' : 'COLD' } }).then((r) => r?.migrateVm)
            : stop({ id, input: { release: a === 'stop-release' } }).then((r) => r?.stopVm);
    void sent.then((op) => {
      setBusy(null);
      if (op) done();
    });
  };
  const moving = last === 'migrate' || last === 'migrate-cold';
  const state = last === 'start' ? started : last === 'reboot' ? rebooted : moving ? migrated : stopped;
  const queued =
    last === 'start'
      ? started.data?.startVm
      : last === 'reboot'
        ? rebooted.data?.rebootVm
        : moving
          ? migrated.data?.migrateVm
          : stopped.data?.stopVm;
  return { act, busy, error: last ? state.error : null, queued: last ? (queued ?? null) : null };
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
  const power = usePower(() => q.refetch());
  const nics = useNics(q.refetch);
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
      {power.error && <ErrorBox error={power.error} title="Power action failed" />}
      {power.queued && (
        <p className="status" role="status">
          {power.queued.kind} queued: <a href={href('operations', power.queued.id)}>operation {power.queued.id.slice(0, 8)}</a>
        </p>
      )}
      <NicPanel nics={nics} />
      {q.loading && !q.data && <Loading what="Loading VMs" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load VMs" />}
      {q.data && q.data.vms.nodes.length === 0 && <Empty>{state ? `No ${state} VMs.` : 'No VMs yet.'}</Empty>}
      {q.data && q.data.vms.nodes.length > 0 && (
        <VmTable vms={q.data.vms.nodes} deleting={deleting ?? power.busy} remove={remove} act={power.act} nics={nics} />
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
