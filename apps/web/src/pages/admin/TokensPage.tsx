import { useState } from 'react';
import {
  ApiTokensDocument,
  CreateApiTokenDocument,
  RevokeApiTokenDocument,
  type ApiTokenFieldsFragment,
  type Role,
} from '@netpin/client/operations';
import { ConfirmButton } from '../../components/Confirm';
import { Empty, ErrorBox, Loading } from '../../components/Status';
import { readToken } from '../../lib/auth';
import { formatTime } from '../../lib/format';
import { useMutation, useQuery } from '../../lib/hooks';
import { href } from '../../lib/router';

const ROLES: { role: Role; what: string }[] = [
  { role: 'VIEWER', what: 'reads everything' },
  { role: 'OPERATOR', what: 'also creates and deletes VMs, runs discovery' },
  { role: 'ADMIN', what: 'also manages hosts, networks, secrets and tokens' },
];

/** The public prefix of this browser's token (np_<prefix>_<secret>), to mark it in the list. */
function ownPrefix(): string | null {
  return /^np_([0-9a-f]{12})_/.exec(readToken() ?? '')?.[1] ?? null;
}

function MintTokenForm({ onMinted }: { onMinted: (token: string, name: string) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [mint, st] = useMutation(CreateApiTokenDocument);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const r = await mint({ input: { name: name.trim(), role } });
    if (r) {
      setName('');
      onMinted(r.createApiToken.token, r.createApiToken.apiToken.name);
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="mint-title" data-testid="token-form">
      <h2 id="mint-title">Mint a token</h2>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="ci-pipeline" data-testid="token-name" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="token-role">
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role.toLowerCase()}: {r.what}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={st.running || name.trim() === ''} data-testid="token-submit">
          {st.running ? 'Minting…' : 'Mint'}
        </button>
      </div>
      {st.error && <ErrorBox error={st.error} title="Cannot mint the token" />}
    </form>
  );
}

/** The secret, shown once: only its hash is stored, so it cannot be shown again. */
function MintedToken({ token, name, onDone }: { token: string; name: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void navigator.clipboard?.writeText(token).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <div className="card" role="status" data-testid="token-minted">
      <p>
        <strong>Token {name}</strong> — copy it now: netpin keeps only its hash and cannot show it again.
      </p>
      <div className="once-secret">
        <code data-testid="token-secret">{token}</code>
        <button type="button" className="btn btn-small" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-small" onClick={onDone} data-testid="token-minted-done">
          Done
        </button>
      </div>
    </div>
  );
}

function TokenRow({ t, mine, onChanged }: { t: ApiTokenFieldsFragment; mine: boolean; onChanged: () => void }) {
  const [revoke, st] = useMutation(RevokeApiTokenDocument);
  const question = mine
    ? `Revoke ${t.name}? This browser signs in with it: every page will then refuse you.`
    : `Revoke ${t.name}? Whatever uses it is refused within 30 seconds.`;
  return (
    <tr className={t.revokedAt ? 'revoked' : undefined} data-testid={`token-row-${t.name}`}>
      <th scope="row">
        {t.name}
        {mine && <span className="badge">this browser</span>}
      </th>
      <td>{t.role.toLowerCase()}</td>
      <td>
        <code>np_{t.prefix}_…</code>
      </td>
      <td>
        {formatTime(t.createdAt)}
        {t.createdBy && <span className="muted small"> by {t.createdBy}</span>}
      </td>
      <td data-testid={`token-last-used-${t.name}`}>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'}</td>
      <td data-testid={`token-state-${t.name}`}>{t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : 'active'}</td>
      <td className="row-actions">
        <a href={href('admin', 'audit', t.id)} className="small" data-testid={`token-activity-${t.name}`}>
          activity
        </a>{' '}
        {!t.revokedAt && (
          <ConfirmButton
            label="Revoke"
            question={question}
            busy={st.running}
            onConfirm={() => void revoke({ id: t.id }).then((r) => r && onChanged())}
            testId={`token-revoke-${t.name}`}
          />
        )}
        {st.error && <ErrorBox error={st.error} title="Revoke failed" />}
      </td>
    </tr>
  );
}

function TokenTable({ tokens, onChanged }: { tokens: readonly ApiTokenFieldsFragment[]; onChanged: () => void }) {
  const mine = ownPrefix();
  return (
    <div className="table-scroll">
      <table className="table" data-testid="token-table">
        <caption>
          API tokens, oldest first. Last use is recorded when the API checks the token (at most every 30 s per API process).
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <TokenRow key={t.id} t={t} mine={t.prefix === mine} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** API tokens: mint one (shown once), see when each was last used, revoke. */
export function TokensPage() {
  const q = useQuery(ApiTokensDocument, {});
  const [minted, setMinted] = useState<{ token: string; name: string } | null>(null);
  return (
    <section aria-labelledby="tokens-title">
      <header className="page-head">
        <h1 id="tokens-title">API tokens</h1>
      </header>
      <p className="muted small">
        Every call to the API, the CLI and this page carries one. The bootstrap token from NETPIN_BOOTSTRAP_ADMIN_TOKEN is not listed.
      </p>
      {minted ? (
        <MintedToken token={minted.token} name={minted.name} onDone={() => setMinted(null)} />
      ) : (
        <MintTokenForm
          onMinted={(token, name) => {
            setMinted({ token, name });
            q.refetch();
          }}
        />
      )}
      {q.loading && !q.data && <Loading what="Loading API tokens" />}
      {q.error && <ErrorBox error={q.error} title="Cannot load API tokens" />}
      {q.data && q.data.apiTokens.length === 0 && <Empty>No tokens minted yet.</Empty>}
      {q.data && q.data.apiTokens.length > 0 && <TokenTable tokens={q.data.apiTokens} onChanged={q.refetch} />}
    </section>
  );
}
