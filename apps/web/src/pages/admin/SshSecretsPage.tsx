import { useState } from 'react';
import {
  CreateSshSecretDocument,
  DeleteSshSecretDocument,
  RotateSshSecretsDocument,
  SshSecretsDocument,
  type SshSecretFieldsFragment,
} from '@netpin/client/operations';
import { ConfirmButton } from '../../components/Confirm';
import { Empty, ErrorBox, Loading } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useMutation, useQuery } from '../../lib/hooks';
import { href } from '../../lib/router';

function NewSecretForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [create, st] = useMutation(CreateSshSecretDocument);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const r = await create({ input: { name: name.trim(), privateKey: key } });
    // the key leaves the page's state either way once the server has answered with success
    if (r) {
      setName('');
      setKey('');
      onCreated();
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="secret-form-title" data-testid="secret-form">
      <h2 id="secret-form-title">Store an SSH key</h2>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="rack-12" data-testid="secret-name" />
        </label>
      </div>
      <label className="field">
        Private key (unencrypted OpenSSH or PEM; stored encrypted, never shown again)
        <textarea
          className="key-text"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
          data-testid="secret-key"
        />
      </label>
      <div className="form-row">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={st.running || name.trim() === '' || key.trim() === ''}
          data-testid="secret-submit"
        >
          {st.running ? 'Storing…' : 'Store'}
        </button>
      </div>
      {st.error && <ErrorBox error={st.error} title="Cannot store the key" />}
    </form>
  );
}

/** Re-encrypts every secret under the current master key, after NETPIN_MASTER_KEY changed (docs/security.md). */
function RotateButton({ stale, onDone }: { stale: number; onDone: () => void }) {
  const [rotate, st] = useMutation(RotateSshSecretsDocument);
  return (
    <div className="card" data-testid="secret-rotate-card">
      <p className="small">
        {stale === 0
          ? 'Every secret is encrypted under the current master key.'
          : `${stale} secret(s) are encrypted under an earlier master key (NETPIN_MASTER_KEY_PREVIOUS).`}{' '}
        Re-encrypting reads each with whichever key opens it and seals it under the current one; it changes nothing if one cannot be opened.
      </p>
      <button
        type="button"
        className="btn"
        disabled={st.running}
        onClick={() => void rotate({}).then((r) => r && onDone())}
        data-testid="secret-rotate"
      >
        {st.running ? 'Re-encrypting…' : 'Re-encrypt all under the current master key'}
      </button>
      {st.data && (
        <p className="small" role="status" data-testid="secret-rotated">
          {st.data.rotateSshSecrets.reencrypted} secret(s) re-encrypted under key {st.data.rotateSshSecrets.keyId}.
        </p>
      )}
      {st.error && <ErrorBox error={st.error} title="Re-encryption failed" />}
    </div>
  );
}

function HostLinks({ hosts }: { hosts: readonly string[] }) {
  if (hosts.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="inline-list">
      {hosts.map((h) => (
        <li key={h}>
          <a href={href('hosts', h)}>{h}</a>
        </li>
      ))}
    </ul>
  );
}

function SecretRow({ s, onChanged }: { s: SshSecretFieldsFragment; onChanged: () => void }) {
  const [del, st] = useMutation(DeleteSshSecretDocument);
  return (
    <tr data-testid={`secret-row-${s.name}`}>
      <th scope="row">
        {s.name}
        <div className="muted small">
          credentialRef <code>secret:{s.name}</code>
        </div>
      </th>
      <td>
        <code className="small">{s.fingerprint}</code>
        <details>
          <summary className="small">public key</summary>
          <code className="small audit-input">{s.publicKey}</code>
        </details>
      </td>
      <td data-testid={`secret-key-${s.name}`}>
        <code>{s.keyId}</code>{' '}
        {s.current ? <span className="badge state-ready">current</span> : <span className="badge state-pending">earlier key</span>}
      </td>
      <td data-testid={`secret-hosts-${s.name}`}>
        <HostLinks hosts={s.hosts} />
      </td>
      <td>
        {formatTime(s.createdAt)}
        {s.createdBy && <span className="muted small"> by {s.createdBy}</span>}
      </td>
      <td>
        {s.hosts.length > 0 ? (
          <span className="muted small">in use</span>
        ) : (
          <ConfirmButton
            label="Delete"
            question={`Delete SSH secret ${s.name}? No host uses it.`}
            busy={st.running}
            onConfirm={() => void del({ id: s.id }).then((r) => r && onChanged())}
            testId={`secret-delete-${s.name}`}
          />
        )}
        {st.error && <ErrorBox error={st.error} title="Delete failed" />}
      </td>
    </tr>
  );
}

function SecretTable({ secrets, onChanged }: { secrets: readonly SshSecretFieldsFragment[]; onChanged: () => void }) {
  return (
    <div className="table-scroll">
      <table className="table" data-testid="secret-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Fingerprint</th>
            <th scope="col">Master key</th>
            <th scope="col">Used by hosts</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {secrets.map((s) => (
            <SecretRow key={s.id} s={s} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** SSH keys stored encrypted for the agent: store one, see which hosts use it, re-encrypt after a master key change, delete unused ones. */
export function SshSecretsPage() {
  const q = useQuery(SshSecretsDocument, {});
  const secrets = q.data?.sshSecrets ?? [];
  return (
    <section aria-labelledby="secrets-title">
      <header className="page-head">
        <h1 id="secrets-title">SSH secrets</h1>
      </header>
      <p className="muted small">
        The agent reaches a host whose credentialRef is <code>secret:&lt;name&gt;</code> with that key; only its public half is ever shown.
      </p>
      <NewSecretForm onCreated={q.refetch} />
      {q.loading && !q.data && <Loading what="Loading SSH secrets" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load SSH secrets" />}
      {q.data && secrets.length === 0 && <Empty>No SSH secrets stored: hosts use keys from the agent's key folder (file:…).</Empty>}
      {secrets.length > 0 && <SecretTable secrets={secrets} onChanged={q.refetch} />}
      {secrets.length > 0 && <RotateButton stale={secrets.filter((s) => !s.current).length} onDone={q.refetch} />}
    </section>
  );
}
