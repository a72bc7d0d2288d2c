import { useState } from 'react';
import { readToken, writeToken } from '../lib/auth';
import { href, navigate } from '../lib/router';

export function SignInPage({ onChange }: { onChange: () => void }) {
  const [token, setToken] = useState(() => readToken() ?? '');
  const current = readToken();
  return (
    <section className="signin card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <p className="muted">
        Every netpin call needs an API token: the admin token <code>npm start</code> prints (kept in <code>.netpin/admin-token</code>), or
        one an admin minted for you. The token is kept in this browser's local storage and sent as <code>Authorization: Bearer</code>.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          writeToken(token);
          onChange();
          navigate(href('fleet'));
        }}
      >
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onChange={(e) => setToken(e.target.value)}
          data-testid="signin-token"
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="signin-submit" disabled={!token.trim()}>
            Sign in
          </button>
          {current && (
            <button
              type="button"
              className="btn"
              onClick={() => {
                writeToken(null);
                setToken('');
                onChange();
              }}
              data-testid="signout"
            >
              Forget token
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
