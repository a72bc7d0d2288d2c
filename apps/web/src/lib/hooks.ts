import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { GqlClient, TypedDocument } from './client';

export const ClientContext = createContext<GqlClient | null>(null);

export function useClient(): GqlClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('ClientContext is missing: wrap the app in <ClientContext.Provider>');
  return c;
}

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => void;
}

/**
 * Runs a query whenever its variables change (compared as JSON) and drops answers to
 * superseded requests, so a fast typist never sees an older preview win the race.
 */
export function useQuery<TResult, TVariables>(
  doc: TypedDocument<TResult, TVariables>,
  variables: TVariables,
  opts: { skip?: boolean; pollMs?: number } = {},
): QueryState<TResult> {
  const client = useClient();
  const key = JSON.stringify(variables ?? null);
  const [state, setState] = useState<{ data?: TResult; error?: Error; loading: boolean }>({ loading: !opts.skip });
  const [tick, setTick] = useState(0);
  const varsRef = useRef(variables);
  varsRef.current = variables;

  useEffect(() => {
    if (opts.skip) {
      setState((s) => ({ ...s, loading: false }));
      return;
    }
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    client.request(doc, varsRef.current, ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (ctrl.signal.aborted) return;
        setState((s) => ({ data: s.data, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [client, doc, key, tick, opts.skip]);

  useEffect(() => {
    if (!opts.pollMs || opts.skip) return;
    const t = window.setInterval(() => setTick((n) => n + 1), opts.pollMs);
    return () => window.clearInterval(t);
  }, [opts.pollMs, opts.skip]);

  const refetch = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, refetch };
}

export interface MutationState<T> {
  data: T | undefined;
  error: Error | undefined;
  running: boolean;
}

export function useMutation<TResult, TVariables>(
  doc: TypedDocument<TResult, TVariables>,
): [(variables: TVariables) => Promise<TResult | undefined>, MutationState<TResult>, () => void] {
  const client = useClient();
  const [state, setState] = useState<MutationState<TResult>>({ data: undefined, error: undefined, running: false });
  const run = useCallback(
    async (variables: TVariables) => {
      setState({ data: undefined, error: undefined, running: true });
      try {
        const data = await client.request(doc, variables);
        setState({ data, error: undefined, running: false });
        return data;
      } catch (err) {
        setState({ data: undefined, error: err instanceof Error ? err : new Error(String(err)), running: false });
        return undefined;
      }
    },
    [client, doc],
  );
  const reset = useCallback(() => setState({ data: undefined, error: undefined, running: false }), []);
  return [run, state, reset];
}

export function useSubscription<TResult, TVariables>(
  doc: TypedDocument<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  opts: { skip?: boolean } = {},
): { error: Error | undefined; connected: boolean } {
  const client = useClient();
  const key = JSON.stringify(variables ?? null);
  const [error, setError] = useState<Error | undefined>();
  const [connected, setConnected] = useState(false);
  const cb = useRef(onData);
  cb.current = onData;
  const varsRef = useRef(variables);
  varsRef.current = variables;

  useEffect(() => {
    if (opts.skip) return;
    setError(undefined);
    setConnected(true);
    const stop = client.subscribe(doc, varsRef.current, {
      next: (d) => cb.current(d),
      error: (e) => {
        setError(e);
        setConnected(false);
      },
      complete: () => setConnected(false),
    });
    return () => {
      stop();
      setConnected(false);
    };
  }, [client, doc, key, opts.skip]);
  return { error, connected };
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}
