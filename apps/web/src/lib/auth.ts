const KEY = 'netpin.apiToken';

/** The API token this browser signs in with (every API call needs one); null when none is stored. */
export function readToken(): string | null {
  try {
    const t = window.localStorage.getItem(KEY);
    return t && t.trim() !== '' ? t : null;
  } catch {
    // Private browsing or a sandboxed iframe can deny storage; behave as signed out.
    return null;
  }
}

export function writeToken(token: string | null): void {
  try {
    if (token && token.trim() !== '') window.localStorage.setItem(KEY, token.trim());
    else window.localStorage.removeItem(KEY);
  } catch {
    /* storage denied: the token then lives only for this page view */
  }
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
