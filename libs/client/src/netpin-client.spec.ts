import { describe, expect, it } from 'vitest';
import { NetpinApiError, NetpinClient, OperationFailedError, OperationTimeoutError, type Operation } from './index';
import { waitForOperation, type OperationSink } from './wait';

interface Call {
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables: Record<string, unknown> };
}

/** A fetch that answers each request with the next scripted response, recording what was sent. */
function stubFetch(answers: ((call: Call) => Response | Promise<Response>)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const stub = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)) as Call['body'],
    };
    calls.push(call);
    const next = answers.length > 1 ? answers.shift()! : answers[0];
    if (!next) throw new Error('stub fetch called without a scripted answer');
    return next(call);
  };
  return { fetch: stub as typeof fetch, calls };
}

const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function op(state: Operation['state'], progress: number, extra: Partial<Operation> = {}): Operation {
  return {
    id: 'op-1',
    kind: 'vm.create',
    targetType: 'vm',
    targetId: 'vm-1',
    targetName: 'web-1',
    state,
    progress,
    step: null,
    steps: [],
    startedAt: null,
    errorCode: null,
    errorMessage: null,
    errorStderr: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    ...extra,
  };
}

describe('NetpinClient.request', () => {
  it('posts the document text and variables with the bearer token to /graphql', async () => {
    const { fetch, calls } = stubFetch([json({ data: { networks: [{ id: 'n1', name: 'physnet0' }] } })]);
    const client = new NetpinClient({ url: 'http://api.test:3000/', token: 'tok-123', fetch });
    const nets = await client.networks();
    expect(nets.map((n) => n.name)).toEqual(['physnet0']);
    expect(calls[0].url).toBe('http://api.test:3000/graphql');
    expect(calls[0].headers.authorization).toBe('Bearer tok-123');
    expect(calls[0].body.query).toContain('query Networks');
    expect(calls[0].body.query).toContain('fragment NetworkFields on Network');
  });

  it('sends createVm input and idempotency key as variables', async () => {
    const { fetch, calls } = stubFetch([
      json({ data: { createVm: { vm: { id: 'vm-1', name: 'a', state: 'PENDING' }, operation: op('QUEUED', 0) } } }),
    ]);
    const client = new NetpinClient({ url: 'http://api.test/graphql', fetch });
    const r = await client.createVm({ name: 'a', vcpus: 2, memoryMiB: 1024 }, { idempotencyKey: 'k-1' });
    expect(r.operation.state).toBe('QUEUED');
    expect(calls[0].url).toBe('http://api.test/graphql');
    expect(calls[0].headers.authorization).toBeUndefined();
    expect(calls[0].body.variables).toEqual({ input: { name: 'a', vcpus: 2, memoryMiB: 1024 }, idempotencyKey: 'k-1' });
  });

  it('sends the hot-plug mutations with the VM, the interface input and the detach timeout', async () => {
    const { fetch, calls } = stubFetch([
      json({ data: { attachInterface: op('QUEUED', 0, { kind: 'vm.attachInterface' }) } }),
      json({ data: { detachInterface: op('QUEUED', 0, { kind: 'vm.detachInterface' }) } }),
    ]);
    const client = new NetpinClient({ url: 'http://api.test', fetch });
    expect((await client.attachInterface('vm-1', { network: 'physnet0', vlan: 10 })).kind).toBe('vm.attachInterface');
    expect((await client.detachInterface('vm-1', 'if-1', { timeoutSeconds: 5 })).kind).toBe('vm.detachInterface');
    expect(calls.map((c) => /mutation (\w+)/.exec(c.body.query)?.[1])).toEqual(['AttachInterface', 'DetachInterface']);
    expect(calls.map((c) => c.body.variables)).toEqual([
      { vmId: 'vm-1', input: { network: 'physnet0', vlan: 10 } },
      { vmId: 'vm-1', interfaceId: 'if-1', input: { timeoutSeconds: 5 } },
    ]);
  });

  it('sends the power mutations with the VM id and the stop input', async () => {
    const { fetch, calls } = stubFetch([
      json({ data: { stopVm: op('QUEUED', 0, { kind: 'vm.stop' }) } }),
      json({ data: { startVm: op('QUEUED', 0, { kind: 'vm.start' }) } }),
      json({ data: { rebootVm: op('QUEUED', 0, { kind: 'vm.reboot' }) } }),
    ]);
    const client = new NetpinClient({ url: 'http://api.test', fetch });
    expect((await client.stopVm('vm-1', { release: true, timeoutSeconds: 5 })).kind).toBe('vm.stop');
    expect((await client.startVm('vm-1')).kind).toBe('vm.start');
    expect((await client.rebootVm('vm-1')).kind).toBe('vm.reboot');
    expect(calls.map((c) => /mutation (\w+)/.exec(c.body.query)?.[1])).toEqual(['StopVm', 'StartVm', 'RebootVm']);
    expect(calls.map((c) => c.body.variables)).toEqual([
      { id: 'vm-1', input: { release: true, timeoutSeconds: 5 } },
      { id: 'vm-1' },
      { id: 'vm-1' },
    ]);
  });

  it('maps a BAD_USER_INPUT error to code, field, message and status 400', async () => {
    const { fetch } = stubFetch([
      json({
        data: null,
        errors: [
          { message: 'vcpus: Too small: expected number to be >=1', extensions: { code: 'BAD_USER_INPUT', field: 'vcpus', issues: [] } },
        ],
      }),
    ]);
    const client = new NetpinClient({ url: 'http://api.test', fetch });
    const err = await client.createVm({ name: 'a', vcpus: 0, memoryMiB: 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetpinApiError);
    expect(err).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'vcpus',
      status: 400,
      message: 'vcpus: Too small: expected number to be >=1',
      details: { issues: [] },
    });
  });

  it('exposes the reason summary of PLACEMENT_REJECTED', async () => {
    const summary = [{ code: 'INSUFFICIENT_MEMORY', hosts: 3, examples: ['h1', 'h2'] }];
    const { fetch } = stubFetch([
      json({ data: null, errors: [{ message: 'no host fits', extensions: { code: 'PLACEMENT_REJECTED', summary, requestReasons: [] } }] }),
    ]);
    const err = (await new NetpinClient({ url: 'http://api.test', fetch })
      .createVm({ name: 'a', vcpus: 1, memoryMiB: 1 << 20 })
      .catch((e: unknown) => e)) as NetpinApiError;
    expect(err.code).toBe('PLACEMENT_REJECTED');
    expect(err.status).toBe(422);
    expect(err.rejection).toEqual({ summary, requestReasons: [] });
    expect(err.field).toBeUndefined();
  });

  it('reports UNAUTHENTICATED with status 401', async () => {
    const { fetch } = stubFetch([json({ errors: [{ message: 'missing or invalid token', extensions: { code: 'UNAUTHENTICATED' } }] })]);
    const err = await new NetpinClient({ url: 'http://api.test', fetch }).networks().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, message: 'missing or invalid token' });
  });

  it('turns a REST-shaped refusal (rate limiter) into its code and HTTP status', async () => {
    const { fetch } = stubFetch([json({ statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' }, 429)]);
    const err = await new NetpinClient({ url: 'http://api.test', fetch }).networks().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', status: 429, message: 'slow down' });
  });

  it('reports a non-JSON answer as BAD_RESPONSE and a network failure as UNREACHABLE', async () => {
    const html = stubFetch([() => new Response('<html>bad gateway</html>', { status: 502 })]);
    expect(await new NetpinClient({ url: 'http://api.test', fetch: html.fetch }).networks().catch((e: unknown) => e)).toMatchObject({
      code: 'BAD_RESPONSE',
      status: 502,
    });
    const down = stubFetch([() => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }))]);
    const err = (await new NetpinClient({ url: 'http://127.0.0.1:1', fetch: down.fetch })
      .networks()
      .catch((e: unknown) => e)) as NetpinApiError;
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('findVm falls back from id to the newest live VM of that name', async () => {
    const vm = (id: string, state: string, createdAt: string) => ({ id, name: 'web', state, createdAt });
    const { fetch, calls } = stubFetch([
      json({ errors: [{ message: 'vm web not found', extensions: { code: 'NOT_FOUND' } }] }),
      json({
        data: { vms: { totalCount: 3, pageInfo: { endCursor: 'c2', hasNextPage: true }, nodes: [vm('c', 'FAILED', '2026-01-01')] } },
      }),
      json({
        data: {
          vms: {
            totalCount: 3,
            pageInfo: { endCursor: 'c3', hasNextPage: false },
            nodes: [vm('b', 'RUNNING', '2026-01-02'), vm('a', 'DELETED', '2026-01-03')],
          },
        },
      }),
    ]);
    const found = await new NetpinClient({ url: 'http://api.test', fetch }).findVm('web');
    expect(found.id).toBe('b');
    expect(calls.map((c) => c.body.query.match(/query (\w+)/)?.[1])).toEqual(['Vm', 'VmList', 'VmList']);
    // the name is filtered by the API, DELETED ones included, and the second page follows the first's cursor
    expect(calls[1].body.variables).toMatchObject({ filter: { name: 'web', includeDeleted: true } });
    expect(calls[2].body.variables).toMatchObject({ filter: { name: 'web', includeDeleted: true }, after: 'c2' });
  });
});

describe('NetpinClient.waitForOperation (polling, no WebSocket)', () => {
  it('reports every change in order and resolves with the final operation', async () => {
    const { fetch } = stubFetch([
      json({ data: { operation: op('QUEUED', 0) } }),
      json({ data: { operation: op('RUNNING', 40, { step: 'apply domain' }) } }),
      json({ data: { operation: op('RUNNING', 40, { step: 'apply domain' }) } }),
      json({ data: { operation: op('RUNNING', 80, { step: 'verify' }) } }),
      json({ data: { operation: op('SUCCEEDED', 100, { finishedAt: '2026-01-01T00:00:01.000Z' }) } }),
    ]);
    const client = new NetpinClient({ url: 'http://api.test', fetch, webSocketImpl: undefined });
    const seen: string[] = [];
    const final = await client.waitForOperation('op-1', {
      pollIntervalMs: 1,
      onProgress: (o) => seen.push(`${o.state}:${o.progress}:${o.step ?? ''}`),
    });
    expect(final.state).toBe('SUCCEEDED');
    expect(seen).toEqual(['QUEUED:0:', 'RUNNING:40:apply domain', 'RUNNING:80:verify', 'SUCCEEDED:100:']);
  });

  it('rejects with OperationFailedError carrying code, message and stderr', async () => {
    const failed = op('FAILED', 60, {
      errorCode: 'HOST_COMMAND_FAILED',
      errorMessage: 'virsh define failed',
      errorStderr: 'error: XML error',
    });
    const { fetch } = stubFetch([json({ data: { operation: op('RUNNING', 10) } }), json({ data: { operation: failed } })]);
    const err = await new NetpinClient({ url: 'http://api.test', fetch })
      .waitForOperation('op-1', { pollIntervalMs: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationFailedError);
    expect(err).toMatchObject({
      code: 'HOST_COMMAND_FAILED',
      message: 'virsh define failed',
      stderr: 'error: XML error',
      operation: { id: 'op-1', state: 'FAILED' },
    });
  });

  it('times out with the last state seen', async () => {
    const { fetch } = stubFetch([json({ data: { operation: op('RUNNING', 30, { step: 'apply' }) } })]);
    const started = Date.now();
    const err = await new NetpinClient({ url: 'http://api.test', fetch })
      .waitForOperation('op-1', { pollIntervalMs: 5, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationTimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', operationId: 'op-1', operation: { state: 'RUNNING', progress: 30 } });
    expect((err as Error).message).toContain('still RUNNING, 30%, apply');
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('keeps polling through an unreachable API but stops at a definite refusal', async () => {
    const flaky = stubFetch([() => Promise.reject(new TypeError('fetch failed')), json({ data: { operation: op('SUCCEEDED', 100) } })]);
    expect(
      (await new NetpinClient({ url: 'http://api.test', fetch: flaky.fetch }).waitForOperation('op-1', { pollIntervalMs: 1 })).state,
    ).toBe('SUCCEEDED');
    expect(flaky.calls).toHaveLength(2);
    const gone = stubFetch([json({ errors: [{ message: 'operation op-9 not found', extensions: { code: 'NOT_FOUND' } }] })]);
    expect(
      await new NetpinClient({ url: 'http://api.test', fetch: gone.fetch })
        .waitForOperation('op-9', { pollIntervalMs: 1 })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects with the abort reason when the signal fires', async () => {
    const { fetch } = stubFetch([json({ data: { operation: op('RUNNING', 5) } })]);
    const ctrl = new AbortController();
    const wait = new NetpinClient({ url: 'http://api.test', fetch }).waitForOperation('op-1', { pollIntervalMs: 5, signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('user pressed ctrl-c')), 20);
    await expect(wait).rejects.toThrow('user pressed ctrl-c');
  });
});

describe('waitForOperation with a subscription', () => {
  it('takes progress from pushed updates and ignores stale polls', async () => {
    let sink: OperationSink | undefined;
    let unsubscribed = false;
    let polls = 0;
    const seen: number[] = [];
    const done = waitForOperation(
      {
        // polls keep answering an old state: they must never move progress backwards
        poll: async () => {
          polls++;
          return op('QUEUED', 0);
        },
        subscribe: (s) => {
          sink = s;
          return () => {
            unsubscribed = true;
          };
        },
      },
      'op-1',
      { pollIntervalMs: 1, onProgress: (o) => seen.push(o.progress) },
    );
    sink!.connected();
    await new Promise((r) => setTimeout(r, 10));
    sink!.next(op('RUNNING', 50));
    sink!.next({ ...op('RUNNING', 70), id: 'other-op' });
    sink!.next(op('RUNNING', 90));
    sink!.next(op('SUCCEEDED', 100));
    expect((await done).state).toBe('SUCCEEDED');
    expect(seen).toEqual([0, 50, 90, 100]);
    expect(unsubscribed).toBe(true);
    // connected: polling slowed to the 2 s backstop, so only the first read happened
    expect(polls).toBe(1);
  });

  it('falls back to fast polling when the subscription breaks', async () => {
    let sink: OperationSink | undefined;
    const answers = [op('RUNNING', 10), op('RUNNING', 20), op('SUCCEEDED', 100)];
    const done = waitForOperation(
      {
        poll: async () => (answers.length > 1 ? answers.shift()! : answers[0]),
        subscribe: (s) => {
          sink = s;
          return () => undefined;
        },
      },
      'op-1',
      { pollIntervalMs: 1, timeoutMs: 1_000 },
    );
    sink!.connected();
    sink!.error(new Error('socket closed'));
    expect((await done).state).toBe('SUCCEEDED');
  });
});
