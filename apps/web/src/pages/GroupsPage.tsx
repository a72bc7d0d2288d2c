import { useState } from 'react';
import { ConfirmButton } from '../components/Confirm';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { CreateGroupDocument, DeleteGroupDocument, GroupsDocument, type CreateGroupInput } from '@netpin/client/operations';
import { useMutation, useQuery } from '../lib/hooks';

type Policy = CreateGroupInput['policy'];
type Enforcement = NonNullable<CreateGroupInput['enforcement']>;
const POLICIES: Policy[] = ['ANTI_AFFINITY', 'AFFINITY'];
const ENFORCEMENTS: Enforcement[] = ['HARD', 'SOFT'];

/** maxPerHost is a rule of hard anti-affinity only (the API refuses it elsewhere, naming the field). */
function CreateGroupForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState<Policy>('ANTI_AFFINITY');
  const [enforcement, setEnforcement] = useState<Enforcement>('HARD');
  const [max, setMax] = useState('1');
  const [create, st] = useMutation(CreateGroupDocument);
  const hasMax = policy === 'ANTI_AFFINITY' && enforcement === 'HARD';
  const maxBad = hasMax && !(/^\d+$/.test(max.trim()) && Number(max) >= 1 && Number(max) <= 1000);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (maxBad || name.trim() === '') return;
    const input: CreateGroupInput = { name: name.trim(), policy, enforcement };
    if (hasMax) input.maxPerHost = Number(max);
    if (await create({ input })) {
      setName('');
      onCreated();
    }
  };

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="new-group-title" data-testid="create-group-form">
      <h2 id="new-group-title">New affinity group</h2>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required data-testid="group-name" />
        </label>
        <label>
          Policy
          <select value={policy} onChange={(e) => setPolicy(e.target.value as Policy)} data-testid="group-policy">
            {POLICIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Enforcement
          <select value={enforcement} onChange={(e) => setEnforcement(e.target.value as Enforcement)} data-testid="group-enforcement">
            {ENFORCEMENTS.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        {hasMax && (
          <label>
            Max per host
            <input
              value={max}
              onChange={(e) => setMax(e.target.value)}
              inputMode="numeric"
              aria-invalid={maxBad || undefined}
              data-testid="group-max"
            />
          </label>
        )}
        <button type="submit" className="btn btn-primary" disabled={st.running || name.trim() === '' || maxBad} data-testid="group-create">
          {st.running ? 'Creating…' : 'Create'}
        </button>
      </div>
      {maxBad && <p className="field-error">Max per host must be between 1 and 1000</p>}
      {st.error && <ErrorBox error={st.error} title="Create failed" />}
    </form>
  );
}

export function GroupsPage() {
  const q = useQuery(GroupsDocument, {});
  const [del, delSt] = useMutation(DeleteGroupDocument);
  return (
    <section aria-labelledby="groups-title">
      <header className="page-head">
        <h1 id="groups-title">Affinity groups</h1>
      </header>
      <p className="muted small">
        VMs join a group when created. HARD groups refuse hosts that break the rule; SOFT ones only prefer the others.
      </p>
      <CreateGroupForm onCreated={q.refetch} />
      {delSt.error && <ErrorBox error={delSt.error} title="Delete failed" />}
      {q.loading && !q.data && <Loading what="Loading groups" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load groups" />}
      {q.data && q.data.groups.length === 0 && <Empty>No groups yet.</Empty>}
      <ul className="net-list">
        {(q.data?.groups ?? []).map((g) => (
          <li key={g.id} className="card" data-testid={`group-row-${g.name}`}>
            <div className="host-row-head">
              <strong>{g.name}</strong>
              <span className="badge">{g.policy}</span>
              <span className="badge">{g.enforcement}</span>
              <span className="muted">
                {g.maxPerHost !== null ? `at most ${g.maxPerHost} per host · ` : ''}
                {g.members} member{g.members === 1 ? '' : 's'}
              </span>
              <span className="spacer" />
              <ConfirmButton
                label="Delete"
                question={`Delete group ${g.name}?`}
                busy={delSt.running}
                onConfirm={() => void del({ ref: g.id }).then((r) => r && q.refetch())}
                testId={`delete-group-${g.name}`}
              />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
