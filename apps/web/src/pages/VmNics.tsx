import { useCallback, useEffect, useState } from 'react';
import {
  AttachInterfaceDocument,
  DetachInterfaceDocument,
  NetworksDocument,
  OperationDocument,
  OperationUpdatedDocument,
  type OperationFieldsFragment,
  type VmInterfaceInput,
  type VmsQuery,
} from '@netpin/client/operations';
import { ProgressBar, StateBadge } from '../components/Bars';
import { ConfirmButton } from '../components/Confirm';
import { ErrorBox } from '../components/Status';
import { useMutation, useQuery, useSubscription } from '../lib/hooks';
import { href } from '../lib/router';
import { DATAPATH_CHOICES, DATAPATH_UI, type DatapathChoice } from '../wizard/form';

type Vm = VmsQuery['vms']['nodes'][number];
type VmInterface = Vm['interfaces'][number];
type Op = OperationFieldsFragment;

/** A VM whose interfaces may change now (the API checks again: CONFLICT when its state moved on). */
export const canHotplug = (vm: Vm): boolean => vm.state === 'RUNNING' || vm.state === 'STOPPED';

/** The form of one NIC: what VmInterfaceInput takes, but liveMigratable (a failover pair cannot be hot-plugged). */
interface NicForm {
  network: string;
  datapath: DatapathChoice;
  vlan: string;
  mac: string;
  minBandwidthMbps: string;
  maxBandwidthMbps: string;
}
const EMPTY: NicForm = { network: '', datapath: 'AUTO', vlan: '', mac: '', minBandwidthMbps: '', maxBandwidthMbps: '' };
const NUMBER_FIELDS = ['vlan', 'minBandwidthMbps', 'maxBandwidthMbps'] as const;
const LABELS: Record<keyof NicForm, string> = {
  network: 'Network',
  datapath: 'Datapath',
  vlan: 'VLAN (optional)',
  mac: 'MAC (optional)',
  minBandwidthMbps: 'Min bandwidth (Mb/s)',
  maxBandwidthMbps: 'Max bandwidth (Mb/s)',
};

/**
 * The input, or the fields that do not parse (named as the API names them, `input.<field>`).
 * Only syntax: ranges, a network the host lacks, a MAC in use are the API's to judge.
 */
export function nicInput(f: NicForm): { input: VmInterfaceInput } | { errors: Partial<Record<keyof NicForm, string>> } {
  const errors: Partial<Record<keyof NicForm, string>> = {};
  if (!f.network) errors.network = 'Choose a network';
  const input: VmInterfaceInput = { network: f.network, datapath: f.datapath };
  for (const k of NUMBER_FIELDS) {
    const raw = f[k].trim();
    if (raw === '') continue;
    if (!/^\d+$/.test(raw)) errors[k] = 'A whole number';
    else input[k] = Number(raw);
  }
  if (f.mac.trim()) input.mac = f.mac.trim();
  return Object.keys(errors).length > 0 ? { errors } : { input };
}

/** Follows one operation: the subscription, and a poll until it finished (a missed update, a broken socket). */
function useFollow(id: string): Op | undefined {
  const [live, setLive] = useState<Op | null>(null);
  const [done, setDone] = useState(false);
  const q = useQuery(OperationDocument, { id }, { pollMs: done ? undefined : 1500 });
  const onData = useCallback((d: { operationUpdated: Op }) => setLive(d.operationUpdated), []);
  useSubscription(OperationUpdatedDocument, { id }, onData, { skip: done });
  const polled = q.data?.operation;
  const op = live && (!polled || live.progress >= polled.progress || live.finishedAt) ? live : polled;
  useEffect(() => {
    if (op?.finishedAt) setDone(true);
  }, [op?.finishedAt]);
  return op;
}

/** The queued attach or detach, live: its progress, step, and how it ended (code, message, the host's stderr). */
function NicProgress({ id, what, onFinished }: { id: string; what: string; onFinished: () => void }) {
  const op = useFollow(id);
  const finished = op?.finishedAt != null;
  useEffect(() => {
    if (finished) onFinished();
  }, [finished, onFinished]);
  if (!op) return null;
  return (
    <div className="status" role="status" data-testid="nic-progress" data-op-state={op.state}>
      <strong>{what}</strong> <StateBadge state={op.state} /> {op.step && <span className="muted small">{op.step}</span>}{' '}
      <a href={href('operations', op.id)}>operation {op.id.slice(0, 8)}</a>
      <ProgressBar value={op.progress} state={op.state} label={what} testId="nic-progress-bar" />
      {op.errorCode && (
        <div className="field-error" data-testid="nic-error">
          <strong>{op.errorCode}</strong>: {op.errorMessage}
          {op.errorStderr && <pre>{op.errorStderr}</pre>}
        </div>
      )}
    </div>
  );
}

function NicField({ k, form, set, error }: { k: keyof NicForm; form: NicForm; set: (f: NicForm) => void; error?: string }) {
  const id = `nic-${k}`;
  return (
    <div className="field">
      <label htmlFor={id}>{LABELS[k]}</label>
      <input
        id={id}
        value={form[k]}
        inputMode={k === 'mac' ? 'text' : 'numeric'}
        aria-invalid={error ? true : undefined}
        onChange={(e) => set({ ...form, [k]: e.target.value })}
        data-testid={`nic-field-${k}`}
      />
      {error && (
        <span className="field-error" role="alert" data-testid={`nic-error-${k}`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** "Add NIC to <vm>": network, datapath policy, VLAN, MAC, min/max bandwidth. */
function NicFormPanel({
  vm,
  busy,
  onSubmit,
  onCancel,
}: {
  vm: Vm;
  busy: boolean;
  onSubmit: (i: VmInterfaceInput) => void;
  onCancel: () => void;
}) {
  const networks = useQuery(NetworksDocument, {});
  const [form, setForm] = useState<NicForm>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof NicForm, string>>>({});
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const r = nicInput(form);
    setErrors('errors' in r ? r.errors : {});
    if ('input' in r) onSubmit(r.input);
  };
  return (
    <form className="card" onSubmit={submit} aria-label={`Add a NIC to ${vm.name}`} data-testid="nic-form">
      <h2>Add a NIC to {vm.name}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="nic-network">Network</label>
          <select
            id="nic-network"
            value={form.network}
            onChange={(e) => setForm({ ...form, network: e.target.value })}
            data-testid="nic-field-network"
          >
            <option value="">(choose)</option>
            {(networks.data?.networks ?? []).map((n) => (
              <option key={n.id}>{n.name}</option>
            ))}
          </select>
          {errors.network && (
            <span className="field-error" role="alert" data-testid="nic-error-network">
              {errors.network}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="nic-datapath">Datapath</label>
          <select
            id="nic-datapath"
            value={form.datapath}
            onChange={(e) => setForm({ ...form, datapath: e.target.value as DatapathChoice })}
            data-testid="nic-field-datapath"
          >
            {DATAPATH_CHOICES.map((d) => (
              <option key={d} value={d}>
                {d} — {DATAPATH_UI[d].help}
              </option>
            ))}
          </select>
        </div>
        {(['vlan', 'mac', 'minBandwidthMbps', 'maxBandwidthMbps'] as const).map((k) => (
          <NicField key={k} k={k} form={form} set={setForm} error={errors[k]} />
        ))}
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="nic-submit">
        {busy ? 'Adding…' : 'Add NIC'}
      </button>{' '}
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** Hot-plug state of the VMs page: which VM's form is open, the last attach/detach queued and its error. */
export function useNics(refresh: () => void) {
  const [attach, attached, resetAttach] = useMutation(AttachInterfaceDocument);
  const [detach, detached, resetDetach] = useMutation(DetachInterfaceDocument);
  const [adding, setAdding] = useState<Vm | null>(null);
  const [last, setLast] = useState<{ id: string; what: string } | null>(null);
  const [failed, setFailed] = useState<'attach' | 'detach' | null>(null);
  const open = (vm: Vm) => {
    resetAttach();
    setAdding(vm);
  };
  const add = (vm: Vm, input: VmInterfaceInput) => {
    setFailed(null);
    void attach({ vmId: vm.id, input }).then((r) => {
      if (!r) return setFailed('attach');
      setAdding(null);
      setLast({ id: r.attachInterface.id, what: `Adding a NIC on ${input.network} to ${vm.name}` });
    });
  };
  const remove = (vm: Vm, i: VmInterface) => {
    setFailed(null);
    resetDetach();
    void detach({ vmId: vm.id, interfaceId: i.id }).then((r) => {
      if (!r) return setFailed('detach');
      setLast({
        id: r.detachInterface.id,
        what: `Removing NIC ${i.index} (${i.networkName ?? 'network'}, ${i.mac ?? 'no MAC'}) from ${vm.name}`,
      });
    });
  };
  const error = failed === 'attach' ? attached.error : failed === 'detach' ? detached.error : undefined;
  return { adding, open, close: () => setAdding(null), add, remove, last, error, busy: attached.running || detached.running, refresh };
}
export type Nics = ReturnType<typeof useNics>;

/** Above the VM table: the open form, the API's typed error, the progress of the last NIC operation. */
export function NicPanel({ nics }: { nics: Nics }) {
  return (
    <>
      {nics.error && <ErrorBox error={nics.error} title="NIC change refused" />}
      {nics.adding && (
        <NicFormPanel vm={nics.adding} busy={nics.busy} onSubmit={(i) => nics.adding && nics.add(nics.adding, i)} onCancel={nics.close} />
      )}
      {nics.last && <NicProgress key={nics.last.id} id={nics.last.id} what={nics.last.what} onFinished={nics.refresh} />}
    </>
  );
}

/** The "Remove" button of one interface of a VM row. */
export function RemoveNicButton({ vm, iface, nics }: { vm: Vm; iface: VmInterface; nics: Nics }) {
  return (
    <ConfirmButton
      label="Remove"
      question={`Remove NIC ${iface.index} (${iface.mac ?? '?'}) from ${vm.name}? Its VF and IRQ settings are given back.`}
      busy={nics.busy}
      onConfirm={() => nics.remove(vm, iface)}
      testId={`remove-nic-${vm.name}-${iface.index}`}
    />
  );
}
