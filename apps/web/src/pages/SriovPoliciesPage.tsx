import { useState } from 'react';
import { ConfirmButton } from '../components/Confirm';
import { Empty, ErrorBox, Loading } from '../components/Status';
import {
  CreateSriovPolicyDocument,
  DeleteSriovPolicyDocument,
  ReconcileSriovPoliciesDocument,
  SriovPoliciesDocument,
  UpdateSriovPolicyDocument,
  type CreateSriovPolicyInput,
  type SriovPolicyFieldsFragment,
} from '@netpin/client/operations';
import { useMutation, useQuery } from '../lib/hooks';
import { href } from '../lib/router';

const LINK_STATES = ['auto', 'enable', 'disable'] as const;

/** The form's text fields, as typed. */
export interface PolicyForm {
  name: string;
  priority: string;
  hostNamePattern: string;
  hostLabels: string;
  pfNamePattern: string;
  driver: string;
  vendorId: string;
  deviceId: string;
  numVfs: string;
  spoofchk: boolean;
  trust: boolean;
  linkState: string;
  maxTxRateMbps: string;
}

export const EMPTY_FORM: PolicyForm = {
  name: '',
  priority: '0',
  hostNamePattern: '',
  hostLabels: '',
  pfNamePattern: '',
  driver: '',
  vendorId: '',
  deviceId: '',
  numVfs: '8',
  spoofchk: true,
  trust: false,
  linkState: 'auto',
  maxTxRateMbps: '0',
};

export function formOf(p: SriovPolicyFieldsFragment): PolicyForm {
  return {
    name: p.name,
    priority: String(p.priority),
    hostNamePattern: p.hostNamePattern ?? '',
    hostLabels: p.hostLabels.map((l) => `${l.key}=${l.value}`).join(', '),
    pfNamePattern: p.pfNamePattern ?? '',
    driver: p.driver ?? '',
    vendorId: p.vendorId ?? '',
    deviceId: p.deviceId ?? '',
    numVfs: String(p.numVfs),
    spoofchk: p.spoofchk,
    trust: p.trust,
    linkState: p.linkState,
    maxTxRateMbps: String(p.maxTxRateMbps),
  };
}

/**
 * Form -> API input. Only the shape is checked here (numbers are numbers, labels are
 * key=value); every rule (globs, hex ids, ranges) is the server's, which names the field.
 */
export function inputOf(f: PolicyForm): { input: CreateSriovPolicyInput } | { error: string } {
  const int = (s: string) => (/^-?\d+$/.test(s.trim()) ? Number(s.trim()) : null);
  const numVfs = int(f.numVfs);
  const priority = int(f.priority);
  const rate = int(f.maxTxRateMbps);
  if (numVfs === null) return { error: 'numVfs must be a whole number' };
  if (priority === null) return { error: 'priority must be a whole number' };
  if (rate === null) return { error: 'max rate must be a whole number' };
  const labels: { key: string; value: string }[] = [];
  for (const part of f.hostLabels
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { error: `label "${part}" must look like key=value` };
    labels.push({ key: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() });
  }
  const opt = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    input: {
      name: f.name.trim(),
      priority,
      hostNamePattern: opt(f.hostNamePattern),
      hostLabels: labels,
      pfNamePattern: opt(f.pfNamePattern),
      driver: opt(f.driver),
      vendorId: opt(f.vendorId),
      deviceId: opt(f.deviceId),
      numVfs,
      spoofchk: f.spoofchk,
      trust: f.trust,
      linkState: f.linkState,
      maxTxRateMbps: rate,
    },
  };
}

type SetPolicyField = <K extends keyof PolicyForm>(k: K, v: PolicyForm[K]) => void;

/** The form's state and its submit: create, or update the policy being edited. */
function usePolicyForm(editing: string | null, initial: PolicyForm, onDone: () => void) {
  const [f, setF] = useState<PolicyForm>(initial);
  const [localError, setLocalError] = useState<string | null>(null);
  const [create, cst] = useMutation(CreateSriovPolicyDocument);
  const [update, ust] = useMutation(UpdateSriovPolicyDocument);
  const set: SetPolicyField = (k, v) => setF((o) => ({ ...o, [k]: v }));
  const running = cst.running || ust.running;
  const error = (editing ? ust.error : cst.error) ?? undefined;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const r = inputOf(f);
    if ('error' in r) {
      setLocalError(r.error);
      return;
    }
    setLocalError(null);
    const { name, ...rest } = r.input;
    const ok = editing ? await update({ name: editing, input: rest }) : await create({ input: r.input });
    if (ok) {
      setF(EMPTY_FORM);
      onDone();
    }
  };
  return { f, set, submit, running, error, localError };
}

function PolicyText(props: {
  f: PolicyForm;
  set: SetPolicyField;
  k: keyof PolicyForm;
  label: string;
  placeholder?: string;
  hint?: string;
}) {
  const { f, set, k, label, placeholder = '', hint } = props;
  return (
    <label>
      {label}
      <input
        value={f[k] as string}
        onChange={(e) => set(k, e.target.value)}
        placeholder={placeholder}
        title={hint}
        data-testid={`sriov-${k}`}
      />
    </label>
  );
}

function VfAttributes({ f, set }: { f: PolicyForm; set: SetPolicyField }) {
  return (
    <fieldset className="form-row">
      <legend>Attributes of free VFs</legend>
      <label>
        <input type="checkbox" checked={f.spoofchk} onChange={(e) => set('spoofchk', e.target.checked)} data-testid="sriov-spoofchk" />{' '}
        spoof check
      </label>
      <label>
        <input type="checkbox" checked={f.trust} onChange={(e) => set('trust', e.target.checked)} data-testid="sriov-trust" /> trust
      </label>
      <label>
        Link state
        <select value={f.linkState} onChange={(e) => set('linkState', e.target.value)} data-testid="sriov-linkState">
          {LINK_STATES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <PolicyText f={f} set={set} k="maxTxRateMbps" label="Max rate (Mbit/s, 0 = unlimited)" />
    </fieldset>
  );
}

function PolicyFormCard({ editing, initial, onDone }: { editing: string | null; initial: PolicyForm; onDone: () => void }) {
  const { f, set, submit, running, error, localError } = usePolicyForm(editing, initial, onDone);
  const field = { f, set };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="sriov-form-title" data-testid="sriov-form">
      <h2 id="sriov-form-title">{editing ? `Edit policy ${editing}` : 'New policy'}</h2>
      <div className="form-row">
        {editing ? null : <PolicyText {...field} k="name" label="Name" placeholder="pool-10g" />}
        <PolicyText {...field} k="priority" label="Priority" />
        <PolicyText {...field} k="numVfs" label="VFs per PF" />
      </div>
      <fieldset className="form-row">
        <legend>Selector (every given part must match)</legend>
        <PolicyText
          {...field}
          k="hostNamePattern"
          label="Host name glob"
          placeholder="hv-*"
          hint={'letters, digits, "_", ".", "-", "*" and "?"'}
        />
        <PolicyText {...field} k="hostLabels" label="Host labels" placeholder="rack=a, tier=gold" />
        <PolicyText {...field} k="pfNamePattern" label="PF name glob" placeholder="ens1f*" />
        <PolicyText {...field} k="driver" label="Driver" placeholder="ixgbe" />
        <PolicyText {...field} k="vendorId" label="Vendor id" placeholder="8086" />
        <PolicyText {...field} k="deviceId" label="Device id" placeholder="10fb" />
      </fieldset>
      <VfAttributes {...field} />
      <div className="form-row">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={running || (!editing && f.name.trim() === '')}
          data-testid="sriov-submit"
        >
          {running ? 'Saving…' : editing ? 'Save' : 'Create'}
        </button>
        {editing && (
          <button type="button" className="btn" onClick={onDone} data-testid="sriov-cancel">
            Cancel
          </button>
        )}
      </div>
      {localError && (
        <p className="field-error" data-testid="sriov-form-error">
          {localError}
        </p>
      )}
      {error && <ErrorBox error={error} title={editing ? 'Update failed' : 'Create failed'} />}
    </form>
  );
}

function selectorText(p: SriovPolicyFieldsFragment): string {
  const parts = [
    p.hostNamePattern ? `hosts ${p.hostNamePattern}` : 'every host',
    ...p.hostLabels.map((l) => `${l.key}=${l.value}`),
    p.pfNamePattern ? `PFs ${p.pfNamePattern}` : 'any SR-IOV PF',
    p.driver ? `driver ${p.driver}` : '',
    p.vendorId || p.deviceId ? `id ${p.vendorId ?? '*'}:${p.deviceId ?? '*'}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

function TargetsTable({ p }: { p: SriovPolicyFieldsFragment }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">PF</th>
          <th scope="col">State</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {p.status.targets.map((t) => (
          <tr key={t.nicId} data-testid={`sriov-target-${p.name}-${t.hostName}-${t.nicName}`}>
            <td>
              <a href={href('hosts', t.hostName)}>{t.hostName}</a>
            </td>
            <td>{t.nicName}</td>
            <td>
              <span className={`badge state-${t.state.toLowerCase()}`}>{t.state}</span>
            </td>
            <td>
              {t.state === 'BLOCKED' && (
                <span data-testid="sriov-blocked-by">
                  held by {t.blockedBy.join(', ')}
                  {' — '}
                </span>
              )}
              <span className="small">{t.reason ?? ''}</span>
              {t.operationId && (
                <>
                  {' '}
                  <a href={href('operations', t.operationId)} className="small">
                    operation
                  </a>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PolicyRow({ p, onEdit, onChanged }: { p: SriovPolicyFieldsFragment; onEdit: () => void; onChanged: () => void }) {
  const [del, st] = useMutation(DeleteSriovPolicyDocument);
  const s = p.status;
  return (
    <li className="card" data-testid={`sriov-policy-${p.name}`}>
      <div className="host-row-head">
        <strong>{p.name}</strong>
        <span className="badge" title="priority">
          prio {p.priority}
        </span>
        <span className="muted">
          {p.numVfs} VFs · spoofchk {p.spoofchk ? 'on' : 'off'} · trust {p.trust ? 'on' : 'off'} · link {p.linkState}
          {p.maxTxRateMbps ? ` · max ${p.maxTxRateMbps} Mbit/s` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={onEdit} data-testid={`sriov-edit-${p.name}`}>
          Edit
        </button>
        <ConfirmButton
          label="Delete"
          question={`Delete policy ${p.name}? Its PFs keep their VFs.`}
          busy={st.running}
          onConfirm={() => void del({ name: p.name }).then((r) => r && onChanged())}
          testId={`sriov-delete-${p.name}`}
        />
      </div>
      <p className="muted small">{selectorText(p)}</p>
      <div className="badges" data-testid={`sriov-counts-${p.name}`}>
        <span className="badge">{s.hostsMatched} hosts</span>
        <span className="badge">{s.pfsMatched} PFs</span>
        <span className="badge state-converged">{s.converged} converged</span>
        <span className="badge state-pending">{s.pending} pending</span>
        <span className="badge state-blocked">{s.blocked} blocked</span>
        <span className="badge state-failed">{s.failed} failed</span>
      </div>
      {st.error && <ErrorBox error={st.error} title="Delete failed" />}
      {s.targets.length === 0 ? <p className="muted small">Matches no SR-IOV capable PF.</p> : <TargetsTable p={p} />}
    </li>
  );
}

/** SR-IOV VF pools: every policy with its per-PF state; admins create, edit and delete them. */
export function SriovPoliciesPage() {
  const q = useQuery(SriovPoliciesDocument, {}, { pollMs: 3000 });
  const [reconcile, rst] = useMutation(ReconcileSriovPoliciesDocument);
  const [editing, setEditing] = useState<SriovPolicyFieldsFragment | null>(null);
  const done = () => {
    setEditing(null);
    q.refetch();
  };
  return (
    <section aria-labelledby="sriov-title">
      <header className="page-head">
        <h1 id="sriov-title">SR-IOV policies</h1>
        <button
          type="button"
          className="btn"
          disabled={rst.running}
          onClick={() => void reconcile({}).then((r) => r && q.refetch())}
          data-testid="sriov-reconcile"
        >
          {rst.running ? 'Reconciling…' : 'Reconcile now'}
        </button>
      </header>
      <p className="muted small">
        A PF whose VF count must change while VMs hold its VFs is BLOCKED, never disrupted: it converges once those VMs let go.
      </p>
      <PolicyFormCard
        key={editing?.id ?? 'new'}
        editing={editing?.name ?? null}
        initial={editing ? formOf(editing) : EMPTY_FORM}
        onDone={done}
      />
      {rst.error && <ErrorBox error={rst.error} title="Reconcile failed" />}
      {q.loading && !q.data && <Loading what="Loading SR-IOV policies" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load SR-IOV policies" />}
      {q.data && q.data.sriovPolicies.length === 0 && <Empty>No SR-IOV policies yet: VF counts are set by hand (configureSriov).</Empty>}
      <ul className="net-list">
        {(q.data?.sriovPolicies ?? []).map((p) => (
          <PolicyRow key={p.id} p={p} onEdit={() => setEditing(p)} onChanged={q.refetch} />
        ))}
      </ul>
    </section>
  );
}
