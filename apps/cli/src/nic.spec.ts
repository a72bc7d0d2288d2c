import { describe, expect, it } from 'vitest';
import { runCli } from './cli';

/** `vm nic attach|detach` through runCli against a scripted API: the requests sent, the text, the exit codes. */
type Answer = { data?: unknown; errors?: unknown[] };
type Sent = { name: string; variables: Record<string, unknown> };

function api(answers: Record<string, Answer | Answer[]>, sent: Sent[]): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const { query, variables } = JSON.parse(String(init?.body)) as { query: string; variables: Record<string, unknown> };
    const name = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? '?';
    sent.push({ name, variables });
    const a = answers[name];
    if (!a) throw new Error(`no scripted answer for ${name}`);
    const body = Array.isArray(a) ? (a.length > 1 ? a.shift()! : a[0]) : a;
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

async function cli(argv: string[], answers: Record<string, Answer | Answer[]>) {
  let stdout = '';
  let stderr = '';
  const sent: Sent[] = [];
  const code = await runCli(argv, {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
    env: { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', NETPIN_TOKEN: 'tok' },
    fetch: api(answers, sent),
  });
  return { code, stdout, stderr, sent };
}

const op = (kind: string, state: string, progress: number, extra: Record<string, unknown> = {}) => ({
  id: 'op-1',
  kind,
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

const row = (index: number, mac: string) => ({
  id: `if-${index}`,
  index,
  datapath: 'SRIOV',
  model: 'vf',
  queues: null,
  networkId: 'net-1',
  networkName: 'physnet0',
  mac,
  vlan: 10,
  sourceDev: '0000:3b:02.0',
});
const planned = (index: number, mac: string) => ({
  index,
  networkName: 'physnet0',
  datapath: 'SRIOV',
  model: 'vf',
  queues: null,
  nicName: 'ens1f0',
  numaNode: 0,
  numaLocal: true,
  failover: false,
  vfIndex: 3,
  sourceDevice: null,
  mac,
  vlan: 10,
});
function vm(indexes: number[]) {
  const macs = indexes.map((i) => `52:54:00:00:00:0${i}`);
  return {
    data: {
      vm: {
        id: 'vm-1',
        name: 'web-01',
        state: 'RUNNING',
        hostId: 'h-1',
        hostName: 'hv-01',
        interfaces: indexes.map((i, k) => row(i, macs[k])),
        plan: { interfaces: indexes.map((i, k) => planned(i, macs[k])) },
      },
    },
  };
}

describe('netpin vm nic attach', () => {
  it('sends the interface input from its flags, shows a progress line per step and names the new NIC by network', async () => {
    const r = await cli(
      ['vm', 'nic', 'attach', 'web-01', '--network', 'physnet0', '--datapath', 'sriov', '--vlan', '10', '--max-bandwidth', '2G'],
      {
        Vm: [vm([0]), vm([0, 1])],
        AttachInterface: { data: { attachInterface: op('vm.attachInterface', 'QUEUED', 0) } },
        Operation: [
          { data: { operation: op('vm.attachInterface', 'RUNNING', 40, { step: 'attach interface' }) } },
          { data: { operation: op('vm.attachInterface', 'SUCCEEDED', 100) } },
        ],
      },
    );
    expect(r.stderr).toBe('vm.attachInterface op-1: RUNNING  40% attach interface\nvm.attachInterface op-1: SUCCEEDED 100%\n');
    expect(r.code).toBe(0);
    expect(r.sent.find((s) => s.name === 'AttachInterface')?.variables).toEqual({
      vmId: 'vm-1',
      input: { network: 'physnet0', datapath: 'SRIOV', vlan: 10, maxBandwidthMbps: 2000 },
    });
    expect(r.stdout).toBe(
      'vm web-01: attached nic 1 physnet0: SRIOV (VF 3 of ens1f0 passed through, guest VF driver) mac 52:54:00:00:00:01 vlan 10\n',
    );
  });

  it('refuses a missing --network and an unknown --datapath before asking the API (exit 2)', async () => {
    const none = await cli(['vm', 'nic', 'attach', 'web-01'], {});
    expect(none).toMatchObject({ code: 2, sent: [] });
    expect(none.stderr).toMatch(/^error: --network is required\nrun `netpin vm nic attach --help`/);
    const bad = await cli(['vm', 'nic', 'attach', 'web-01', '--network', 'physnet0', '--datapath', 'warp'], {});
    expect(bad).toMatchObject({ code: 2, sent: [] });
    expect(bad.stderr).toMatch(/^error: --datapath: expected auto\|.*got "warp"/);
  });

  it("prints the API's field error for bad input (exit 2) and a placement refusal (exit 1)", async () => {
    const field = await cli(['vm', 'nic', 'attach', 'web-01', '--network', 'nope'], {
      Vm: vm([0]),
      AttachInterface: { errors: [{ message: 'no network nope', extensions: { code: 'BAD_USER_INPUT', field: 'input.network' } }] },
    });
    expect(field).toMatchObject({ code: 2, stdout: '', stderr: 'error: input.network: no network nope (BAD_USER_INPUT)\n' });
    const busy = await cli(['vm', 'nic', 'attach', 'web-01', '--network', 'physnet0'], {
      Vm: vm([0]),
      AttachInterface: {
        errors: [{ message: 'vm web-01 cannot change its interfaces while MIGRATING', extensions: { code: 'CONFLICT' } }],
      },
    });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('(CONFLICT)');
  });

  it('exits 1 with the code and host stderr when the attach fails', async () => {
    const r = await cli(['vm', 'nic', 'attach', 'web-01', '--network', 'physnet0'], {
      Vm: vm([0]),
      AttachInterface: { data: { attachInterface: op('vm.attachInterface', 'QUEUED', 0) } },
      Operation: [
        { data: { operation: op('vm.attachInterface', 'RUNNING', 20, { step: 'program VF' }) } },
        {
          data: {
            operation: op('vm.attachInterface', 'FAILED', 50, {
              errorCode: 'HOST_COMMAND_FAILED',
              errorMessage: 'attach-device failed',
              errorStderr: 'no free PCI slot',
            }),
          },
        },
      ],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: vm.attachInterface op-1 failed: attach-device failed (HOST_COMMAND_FAILED)');
    expect(r.stderr).toContain('no free PCI slot');
  });
});

describe('netpin vm nic detach', () => {
  it('finds the interface by MAC (any case), sends its id and the release timeout, and names what went', async () => {
    const r = await cli(['vm', 'nic', 'detach', 'web-01', '52:54:00:00:00:01'.toUpperCase(), '--release-timeout', '5'], {
      Vm: [vm([0, 1]), vm([0])],
      DetachInterface: { data: { detachInterface: op('vm.detachInterface', 'QUEUED', 0) } },
      Operation: [
        { data: { operation: op('vm.detachInterface', 'RUNNING', 10, { step: 'detach interface' }) } },
        { data: { operation: op('vm.detachInterface', 'SUCCEEDED', 100) } },
      ],
    });
    expect(r.code).toBe(0);
    expect(r.sent.find((s) => s.name === 'DetachInterface')?.variables).toEqual({
      vmId: 'vm-1',
      interfaceId: 'if-1',
      input: { timeoutSeconds: 5 },
    });
    expect(r.stdout).toMatch(/^vm web-01: detached nic 1 physnet0: SRIOV .* mac 52:54:00:00:00:01 vlan 10\n$/);
  });

  it('by id with --no-wait --json returns the queued operation at once', async () => {
    const r = await cli(['vm', 'nic', 'detach', 'web-01', 'if-0', '--no-wait', '--json'], {
      Vm: vm([0, 1]),
      DetachInterface: { data: { detachInterface: op('vm.detachInterface', 'QUEUED', 0) } },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ vm: { name: 'web-01' }, operation: { kind: 'vm.detachInterface', state: 'QUEUED' } });
    expect(r.sent.find((s) => s.name === 'DetachInterface')?.variables).toMatchObject({ interfaceId: 'if-0' });
  });

  it('refuses an interface the VM does not have, listing the ones it has, and sends no detach (exit 2)', async () => {
    const r = await cli(['vm', 'nic', 'detach', 'web-01', '52:54:00:ff:ff:ff'], { Vm: vm([0]) });
    expect(r.code).toBe(2);
    expect(r.sent.map((s) => s.name)).toEqual(['Vm']);
    expect(r.stderr).toContain(
      'error: <interface>: vm web-01 has no interface with id or MAC "52:54:00:ff:ff:ff" (it has: 52:54:00:00:00:00 (if-0))',
    );
  });

  it('refuses a release timeout that is not a whole number (exit 2)', async () => {
    const r = await cli(['vm', 'nic', 'detach', 'web-01', 'if-0', '--release-timeout', 'soon'], {});
    expect(r).toMatchObject({ code: 2, sent: [] });
    expect(r.stderr).toContain('--release-timeout: expected a whole number, got "soon"');
  });
});
