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
        netpin accepts an API token when the server is configured with one. Leave it empty for a server without authentication. The token is
        kept in this browser's local storage and sent as <code>Authorization: Bearer</code>.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          writeToken(token);
          onChange();
          navigate(href('fleet'));
        }}
      >
        <label htmlFor="token">API token (optional)</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          data-testid="signin-token"
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="signin-submit">
            {token.trim() ? 'Sign in' : 'Continue without token'}
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
