import { describe, expect, it } from 'vitest';
import { runCli } from './cli';

/** runCli end to end against a scripted API: what reaches stdout, stderr and the exit code. */
type Answer = { data?: unknown; errors?: unknown[] };

function api(answers: Record<string, Answer | Answer[]>): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const { query } = JSON.parse(String(init?.body)) as { query: string };
    const name = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? '?';
    const a = answers[name];
    if (!a) throw new Error(`no scripted answer for ${name}`);
    const body = Array.isArray(a) ? (a.length > 1 ? a.shift()! : a[0]) : a;
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

async function cli(argv: string[], answers: Record<string, Answer | Answer[]>, env: Record<string, string> = { NETPIN_TOKEN: 'tok' }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
    // port 9 (discard) refuses: the subscription fails fast and polling carries the wait
    env: { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', ...env },
    fetch: api(answers),
  });
  return { code, stdout, stderr };
}

const op = (state: string, progress: number, extra: Record<string, unknown> = {}) => ({
  id: 'op-1',
  kind: 'vm.create',
  targetType: 'vm',
  targetId: 'vm-1',
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
});

const badInput = (message: string, field: string): Answer => ({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', field } }] });

describe('runCli errors', () => {
  it('prints the field, message and code of BAD_USER_INPUT and exits 2', async () => {
    const r = await cli(['vm', 'create', '--name', 'a', '--vcpus', '0', '--memory', '1G'], { CreateVm: badInput('must be ≥ 1', 'vcpus') });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('error: vcpus: must be ≥ 1 (BAD_USER_INPUT)\n');
  });

  it('does not repeat a field the server message already names', async () => {
    const r = await cli(['vm', 'create', '--name', 'a', '--vcpus', '0', '--memory', '1G'], {
      CreateVm: badInput('vcpus: Too small: expected number to be >=1', 'vcpus'),
    });
    expect(r.stderr).toBe('error: vcpus: Too small: expected number to be >=1 (BAD_USER_INPUT)\n');
  });

  it('prints PLACEMENT_REJECTED reasons and exits 1; --json carries them on stdout', async () => {
    const rejected: Answer = {
      errors: [
        {
          message: 'no host fits',
          extensions: {
            code: 'PLACEMENT_REJECTED',
            summary: [{ code: 'INSUFFICIENT_MEMORY', hosts: 2, examples: ['a', 'b'] }],
            requestReasons: [],
          },
        },
      ],
    };
    const r = await cli(['vm', 'create', '--name', 'a', '--vcpus', '1', '--memory', '1T'], { CreateVm: rejected });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: no host fits (PLACEMENT_REJECTED)\n  INSUFFICIENT_MEMORY: 2 host(s) (e.g. a, b)\n');
    const j = await cli(['vm', 'create', '--name', 'a', '--vcpus', '1', '--memory', '1T', '--json'], { CreateVm: rejected });
    expect(JSON.parse(j.stdout)).toEqual({
      error: {
        code: 'PLACEMENT_REJECTED',
        message: 'no host fits',
        field: null,
        status: 422,
        summary: [{ code: 'INSUFFICIENT_MEMORY', hosts: 2, examples: ['a', 'b'] }],
        requestReasons: [],
      },
    });
  });

  it('exits 3 on UNAUTHENTICATED and says how to give a token', async () => {
    const refused: Answer = { errors: [{ message: 'missing bearer token', extensions: { code: 'UNAUTHENTICATED' } }] };
    const none = await cli(['networks', 'list'], { Networks: refused }, {});
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('error: missing bearer token (UNAUTHENTICATED)\nno API token given: set NETPIN_TOKEN');
    const bad = await cli(['networks', 'list'], { Networks: refused });
    expect(bad.stderr).toContain('the API refused the token from NETPIN_TOKEN');
  });

  it('exits 2 on NOT_FOUND', async () => {
    const r = await cli(['hosts', 'show', 'nope'], {
      Host: { errors: [{ message: 'host nope not found', extensions: { code: 'NOT_FOUND' } }] },
    });
    expect(r).toMatchObject({ code: 2, stderr: 'error: host nope not found (NOT_FOUND)\n' });
  });
});

describe('runCli operations', () => {
  it('vm create follows the operation with progress lines and exits 1 with code, message and stderr when it fails', async () => {
    const failed = op('FAILED', 60, {
      errorCode: 'HOST_COMMAND_FAILED',
      errorMessage: 'virsh define failed',
      errorStderr: 'error: unsupported configuration\nline 2',
    });
    const r = await cli(['vm', 'create', '--name', 'a', '--vcpus', '1', '--memory', '512'], {
      CreateVm: { data: { createVm: { vm: { id: 'vm-1', name: 'a', state: 'PENDING' }, operation: op('QUEUED', 0) } } },
      Operation: [{ data: { operation: op('RUNNING', 30, { step: 'apply domain' }) } }, { data: { operation: failed } }],
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'vm a (vm-1) accepted, operation op-1',
        'vm.create op-1: RUNNING  30% apply domain',
        'vm.create op-1: FAILED  60%',
        'error: vm.create op-1 failed: virsh define failed (HOST_COMMAND_FAILED)',
        '  stderr:',
        '    error: unsupported configuration',
        '    line 2',
        '',
      ].join('\n'),
    );
  });

  it('prints what the host said without its terminal escape sequences', async () => {
    const failed = op('FAILED', 100, {
      errorCode: 'COMMAND_FAILED',
      errorMessage: 'virsh exited 1: \u001b]0;owned\u0007\u001b[2Jgone',
      errorStderr: 'line \u001b[31mred\u001b[0m\rcover',
    });
    const r = await cli(['operations', 'watch', 'op-1'], { Operation: { data: { operation: failed } } });
    expect(r.code).toBe(1);
    const printed = r.stdout + r.stderr;
    const controls = [...printed].filter((c) => c.charCodeAt(0) < 0x20 && c !== '\n');
    expect(controls).toEqual([]);
    expect(printed).toContain('virsh exited 1: gone (COMMAND_FAILED)');
    expect(printed).toContain('    line red\n    cover');
  });

  it('operations watch of an operation that already failed exits 1 without waiting', async () => {
    const r = await cli(['operations', 'watch', 'op-1', '--json'], {
      Operation: { data: { operation: op('FAILED', 100, { errorCode: 'VERIFY_MISMATCH', errorMessage: 'drift' }) } },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'op-1', state: 'FAILED', errorCode: 'VERIFY_MISMATCH' });
  });

  it('vm create --no-wait --json returns the accepted VM and operation at once', async () => {
    const r = await cli(
      ['vm', 'create', '--name', 'a', '--vcpus', '1', '--memory', '512', '--no-wait', '--json', '--idempotency-key', 'k'],
      {
        CreateVm: { data: { createVm: { vm: { id: 'vm-1', name: 'a', state: 'PENDING' }, operation: op('QUEUED', 0) } } },
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ vm: { id: 'vm-1' }, operation: { id: 'op-1', state: 'QUEUED' } });
    expect(r.stderr).toBe('');
  });

  it('preview exits 1 when nothing fits', async () => {
    const r = await cli(['preview', '--vcpus', '64', '--memory', '1G'], {
      PreviewPlacement: {
        data: {
          previewPlacement: {
            fits: false,
            plan: null,
            rejection: {
              message: 'no host fits',
              hostsConsidered: 2,
              summary: [{ code: 'INSUFFICIENT_DEDICATED_CPUS', hosts: 2, examples: ['h1'] }],
              requestReasons: [],
            },
          },
        },
      },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'does not fit: no host fits (PLACEMENT_REJECTED)\n  2 host(s) considered\n  INSUFFICIENT_DEDICATED_CPUS: 2 host(s) (e.g. h1)\n',
    );
  });
});

describe('runCli vm list', () => {
  it('follows every page of the vms connection and asks for DELETED VMs only with --all', async () => {
    const vm = (id: string, state: string) => ({
      id,
      name: id,
      state,
      hostId: null,
      numaNode: null,
      vcpus: 1,
      memoryMiB: 512,
      interfaces: [],
    });
    const sent: Record<string, unknown>[] = [];
    const pages = [
      { totalCount: 3, pageInfo: { endCursor: 'p1', hasNextPage: true }, nodes: [vm('a', 'RUNNING'), vm('b', 'DELETED')] },
      { totalCount: 3, pageInfo: { endCursor: 'p2', hasNextPage: false }, nodes: [vm('c', 'FAILED')] },
    ];
    const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      const { variables } = JSON.parse(String(init?.body)) as { variables: Record<string, unknown> };
      sent.push(variables);
      return new Response(JSON.stringify({ data: { vms: pages[sent.length - 1] } }), { headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    let stdout = '';
    const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: () => true, isTTY: false } };
    const env = { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', NETPIN_TOKEN: 'tok' };
    const code = await runCli(['vm', 'list', '--all', '--json'], { ...io, env, fetch });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { id: string }[]).map((v) => v.id)).toEqual(['a', 'b', 'c']);
    expect(sent.map((v) => [v.filter, v.after ?? null])).toEqual([
      [{ includeDeleted: true }, null],
      [{ includeDeleted: true }, 'p1'],
    ]);
  });
});

describe('runCli VM flags and completion', () => {
  it('sends the NIC, CPU and hugepage flags to createVm as the API input', async () => {
    const sent: unknown[] = [];
    let stdout = '';
    const code = await runCli(
      [
        ...['vm', 'create', '--name', 'web-01', '--vcpus', '4', '--memory', '4G', '--no-wait', '--json'],
        ...['--net', 'physnet0:sriov', '--vlan', '100', '--live-migratable', '--net', 'tenant-br', '--mac', '52:54:00:aa:bb:cc'],
        ...['--min-bandwidth', '1G', '--thread-policy', 'require', '--emulator-threads', 'isolate', '--hugepages', '1G'],
      ],
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: () => true, isTTY: false },
        env: { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', NETPIN_TOKEN: 'tok' },
        fetch: (async (_url: string | URL | Request, init?: RequestInit) => {
          sent.push(JSON.parse(String(init?.body)).variables);
          const data = { createVm: { vm: { id: 'vm-1', name: 'web-01', state: 'PENDING' }, operation: op('QUEUED', 0) } };
          return new Response(JSON.stringify({ data }), { status: 200, headers: { 'content-type': 'application/json' } });
        }) as typeof fetch,
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ vm: { id: 'vm-1' } });
    expect(sent).toEqual([
      {
        input: {
          name: 'web-01',
          vcpus: 4,
          memoryMiB: 4096,
          interfaces: [
            { network: 'physnet0', datapath: 'SRIOV', vlan: 100, liveMigratable: true },
            { network: 'tenant-br', mac: '52:54:00:aa:bb:cc', minBandwidthMbps: 1000 },
          ],
          threadPolicy: 'REQUIRE',
          emulatorThreads: 'ISOLATE',
          hugepages: 'SIZE_1G',
        },
      },
    ]);
  });

  it('prints a completion script without a token, a config file or the API', async () => {
    const r = await cli(['completion', 'bash'], {}, { XDG_CONFIG_HOME: '/nonexistent' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o default -F _netpin netpin');
    expect(r.stderr).toBe('');
  });
});

describe('groups', () => {
  const group = {
    id: 'g-1',
    name: 'db',
    policy: 'ANTI_AFFINITY',
    enforcement: 'HARD',
    maxPerHost: 2,
    members: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  it('creates a group from --policy/--enforcement/--max-per-host and prints it', async () => {
    let sent: unknown;
    const fetch = (async (_u: string, init?: RequestInit) => {
      sent = (JSON.parse(String(init?.body)) as { variables: unknown }).variables;
      return new Response(JSON.stringify({ data: { createGroup: group } }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof globalThis.fetch;
    let stdout = '';
    const code = await runCli(['groups', 'create', 'db', '--policy', 'anti-affinity', '--enforcement', 'hard', '--max-per-host', '2'], {
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: () => true, isTTY: false },
      env: { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', NETPIN_TOKEN: 'tok' },
      fetch,
    });
    expect(code).toBe(0);
    expect(sent).toEqual({ input: { name: 'db', policy: 'ANTI_AFFINITY', enforcement: 'HARD', maxPerHost: 2 } });
    expect(stdout).toMatch(/^NAME\s+POLICY\s+ENFORCEMENT\s+MAX\/HOST\s+MEMBERS\s+ID\ndb\s+ANTI_AFFINITY\s+HARD\s+2\s+0\s+g-1\n$/);
  });

  it('refuses a missing or unknown --policy before calling the API (exit 2)', async () => {
    expect((await cli(['groups', 'create', 'db'], {})).code).toBe(2);
    const r = await cli(['groups', 'create', 'db', '--policy', 'near'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--policy');
  });

  it('vm create --group sends the group; a refused delete prints the CONFLICT', async () => {
    let sent: { input?: { group?: string } } = {};
    const fetch = (async (_u: string, init?: RequestInit) => {
      sent = (JSON.parse(String(init?.body)) as { variables: typeof sent }).variables;
      return new Response(JSON.stringify({ errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT', field: 'group' } }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof globalThis.fetch;
    await runCli(['vm', 'create', '--name', 'a', '--vcpus', '1', '--memory', '1G', '--group', 'db'], {
      stdout: { write: () => true },
      stderr: { write: () => true, isTTY: false },
      env: { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', NETPIN_TOKEN: 'tok' },
      fetch,
    });
    expect(sent.input?.group).toBe('db');
    const del = await cli(['groups', 'delete', 'db'], {
      DeleteGroup: { errors: [{ message: 'group db has 2 member VM(s): delete them first', extensions: { code: 'CONFLICT' } }] },
    });
    expect(del.code).not.toBe(0);
    expect(del.stderr).toContain('group db has 2 member VM(s)');
  });
});
