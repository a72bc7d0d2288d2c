import { GraphQLRequestError } from '../lib/client';
import { href } from '../lib/router';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="status status-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

/** Shows the server's own words: errors[0].message, the blamed field and the code. */
export function ErrorBox({ error, title = 'Request failed' }: { error: Error; title?: string }) {
  const gql = error instanceof GraphQLRequestError ? error : undefined;
  return (
    <div className="status status-error" role="alert" data-testid="error">
      <strong>{title}:</strong> <span data-testid="error-message">{error.message}</span>
      {gql?.field && (
        <span className="error-field">
          {' '}
          (field <code data-testid="error-field">{gql.field}</code>)
        </span>
      )}
      {gql?.code && <span className="error-code"> [{gql.code}]</span>}
      {gql?.code === 'UNAUTHENTICATED' && (
        <>
          {' '}
          <a href={href('signin')} data-testid="error-signin">
            Sign in with an API token
          </a>
        </>
      )}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="status status-empty">{children}</p>;
}
