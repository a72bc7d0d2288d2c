import { useMemo, useRef, useState } from 'react';
import { ErrorBox } from '../components/Status';
import { CreateVmDocument, GroupsDocument, HostNamesDocument, NetworksDocument, PreviewPlacementDocument } from '@netpin/client/operations';
import { useDebounced, useMutation, useQuery } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import { formToPreviewInput, formToVmInput, initialForm, type VmForm } from './form';
import { PreviewPanel } from './PreviewPanel';
import { WizardForm } from './WizardForm';

export const PREVIEW_DEBOUNCE_MS = 350;

function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/** The affinity groups the wizard offers, each with its rule in words ("hard anti-affinity, ≤2/host"). */
function useGroupChoices() {
  const groupsQ = useQuery(GroupsDocument, {});
  const groups = useMemo(
    () =>
      (groupsQ.data?.groups ?? []).map((g) => ({
        name: g.name,
        label: `${g.enforcement.toLowerCase()} ${g.policy.toLowerCase().replace('_', '-')}${g.maxPerHost !== null ? `, ≤${g.maxPerHost}/host` : ''}`,
      })),
    [groupsQ.data],
  );
  return { groups, error: groupsQ.error };
}

export function CreateVmPage({ debounceMs = PREVIEW_DEBOUNCE_MS }: { debounceMs?: number }) {
  const nets = useQuery(NetworksDocument, {});
  const hostsQ = useQuery(HostNamesDocument, {});
  const { groups, error: groupsError } = useGroupChoices();
  const [form, setForm] = useState<VmForm>(initialForm);
  const [submitted, setSubmitted] = useState(false);
  // One key per wizard visit: a double click or a retry after a timeout creates one VM.
  const idemKey = useRef(newIdempotencyKey());
  const [createVm, created] = useMutation(CreateVmDocument);

  const networks = useMemo(() => (nets.data?.networks ?? []).map((n) => n.name), [nets.data]);
  const hosts = useMemo(() => (hostsQ.data?.hosts.nodes ?? []).map((h) => h.name), [hostsQ.data]);

  const full = useMemo(() => formToVmInput(form), [form]);
  const previewable = useMemo(() => formToPreviewInput(form), [form]);
  const debounced = useDebounced(previewable, debounceMs);
  const preview = useQuery(
    PreviewPlacementDocument,
    { input: debounced.ok ? debounced.input : { name: '', vcpus: 0, memoryMiB: 0, interfaces: [] } },
    { skip: !debounced.ok },
  );
  const stale = previewable !== debounced;

  const firstError = previewable.ok ? null : (Object.values(previewable.errors)[0] ?? null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!full.ok) return;
    const r = await createVm({ input: full.input, idempotencyKey: idemKey.current });
    if (r) navigate(href('operations', r.createVm.operation.id));
  };

  return (
    <section aria-labelledby="create-title">
      <p className="crumbs">
        <a href={href('vms')}>VMs</a> / new
      </p>
      <h1 id="create-title">Create VM</h1>
      {nets.error && <ErrorBox error={nets.error} title="Cannot load networks" />}
      {hostsQ.error && <ErrorBox error={hostsQ.error} title="Cannot load hosts" />}
      {groupsError && <ErrorBox error={groupsError} title="Cannot load groups" />}
      <form className="wizard" onSubmit={(e) => void submit(e)} noValidate data-testid="create-vm-form">
        <div className="wizard-main">
          <WizardForm
            form={form}
            onChange={setForm}
            errors={full.ok ? {} : full.errors}
            showAllErrors={submitted}
            networks={networks}
            hosts={hosts}
            groups={groups}
          />
          {created.error && <ErrorBox error={created.error} title="Create failed" />}
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={created.running} data-testid="create-vm-submit">
              {created.running ? 'Creating…' : 'Create VM'}
            </button>
            <a className="btn" href={href('vms')}>
              Cancel
            </a>
            {submitted && !full.ok && (
              <span className="field-error" role="alert" data-testid="form-invalid">
                Fix {Object.keys(full.errors).length} field{Object.keys(full.errors).length > 1 ? 's' : ''} first.
              </span>
            )}
          </div>
        </div>
        <PreviewPanel
          preview={preview.data?.previewPlacement}
          loading={preview.loading || (stale && previewable.ok)}
          error={preview.error}
          invalidReason={firstError}
          input={debounced.ok ? debounced.input : null}
          hosts={hosts}
        />
      </form>
    </section>
  );
}
