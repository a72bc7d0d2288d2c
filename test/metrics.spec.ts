import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GqlClient, setupFleet } from '@netpin/client';
import { startApi, type TestApi } from './support/api';
import { ProcessSet, startSimFleet, type SimFleet } from './support/processes';
import { parseExposition, select, sumOf, valueOf, type Exposition } from './support/prometheus';
import { retireOtherHosts } from './support/seed';

/**
 * Prometheus metrics of the API and the agent, and request ids from API to agent logs,
 * against the real stack: a hostsim host over SSH, the agent as its own process (its
 * metrics endpoint and its log lines are what operators see) and the API in-process.
 */
const procs = new ProcessSet();
const agentLog: string[] = [];
let sim: SimFleet;
let api: TestApi;
let client: GqlClient;
let agentMetricsUrl: string;
let viewerToken: string;
let hostName: string;
let hostId: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function scrapeApi(token: string | null = viewerToken): Promise<{ status: number; exposition: Exposition | null }> {
  const res = await fetch(`${api.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, exposition: res.status === 200 ? parseExposition(text) : null };
}

async function scrapeAgent(): Promise<Exposition> {
  const res = await fetch(agentMetricsUrl);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** The agent's JSON log lines (pino), the non-JSON ones skipped. */
function agentLines(): Record<string, unknown>[] {
  return agentLog.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

const vmInput = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  pinHost: hostName,
  vcpus: 2,
  memoryMiB: 1024,
  interfaces: [{ network: 'physnet0' }],
  ...extra,
});

beforeAll(async () => {
  sim = await startSimFleet({ count: 1, profile: 'dual-socket-sriov', namePrefix: 'metrics' });
  hostName = sim.entries[0].name;
  const port = await freePort();
  agentMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  await procs.spawnAgent('metrics-agent', sim.stateDir, { NETPIN_AGENT_METRICS_PORT: String(port), LOG_LEVEL: 'info' }, agentLog);
  await retireOtherHosts();
  api = await startApi();
  client = new GqlClient(api.url);
  const [host] = await setupFleet(client, sim.entries, { vfsPerPf: 4 });
  hostId = host.id;
  const r = await client.request<{ createApiToken: { token: string } }>(
    `mutation { createApiToken(input: { name: "prometheus", role: VIEWER }) { token } }`,
  );
  viewerToken = r.createApiToken.token;
}, 120_000);

afterAll(async () => {
  if (hostId)
    await client
      .request(`mutation ($id: ID!) { setHostMaintenance(id: $id, input: { enabled: true, reason: "metrics test done" }) { id } }`, {
        id: hostId,
      })
      .catch(() => undefined);
  await api?.close();
  await procs.killAll();
  await sim?.stop();
});

describe('API /metrics', () => {
  it('is deny-by-default: anonymous scrapes get 401, a VIEWER token gets the exposition', async () => {
    expect((await scrapeApi(null)).status).toBe(401);
    expect((await scrapeApi('not-a-token')).status).toBe(401);
    const { status, exposition } = await scrapeApi();
    expect(status).toBe(200);
    expect(exposition!.types.get('netpin_placement_duration_seconds')).toBe('histogram');
    expect(exposition!.types.get('netpin_operations_total')).toBe('counter');
    expect(exposition!.types.get('netpin_host_free_dedicated_cpus')).toBe('gauge');
    expect(valueOf(exposition!, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('a provisioned VM moves the metrics of both processes', () => {
  const requestId = `metrics-${randomUUID()}`;
  let createOpId: string;

  it('provisions with a caller-chosen request id that the API echoes and records', async () => {
    const res = await fetch(`${api.url}/api/v1/vms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.NETPIN_TOKEN}`, 'x-request-id': requestId },
      body: JSON.stringify(vmInput('metrics-vm')),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const body = (await res.json()) as { operation: { id: string; requestId: string | null } };
    expect(body.operation.requestId).toBe(requestId);
    createOpId = body.operation.id;
    const op = await client.waitForOperation(createOpId, 60_000);
    expect(op.state).toBe('SUCCEEDED');
  });

  it('counts the placement, the finished operation and the HTTP call on the API', async () => {
    const e = (await scrapeApi()).exposition!;
    expect(valueOf(e, 'netpin_placement_duration_seconds_count', { kind: 'create' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_placement_duration_seconds_sum', { kind: 'create' })).toBeGreaterThan(0);
    expect(valueOf(e, 'netpin_operations_total', { kind: 'vm.create', state: 'SUCCEEDED' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_operations_total', { kind: 'vm.verify', state: 'SUCCEEDED' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_operation_duration_seconds_count', { kind: 'vm.create', state: 'SUCCEEDED' })).toBeGreaterThanOrEqual(1);
    // created -> finished spans an apply and a verify over SSH: more than nothing
    expect(valueOf(e, 'netpin_operation_duration_seconds_sum', { kind: 'vm.create', state: 'SUCCEEDED' })).toBeGreaterThan(0);
    expect(valueOf(e, 'netpin_operations', { state: 'SUCCEEDED' })).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(e, 'netpin_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/vms', status: '202' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sumOf(e, 'netpin_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    // both queues, three states each, read from Redis at scrape time
    const queues = select(e, 'netpin_queue_jobs');
    expect(new Set(queues.map((s) => `${s.labels.queue}/${s.labels.state}`))).toEqual(
      new Set([
        'netpin-host-ops/waiting',
        'netpin-host-ops/active',
        'netpin-host-ops/delayed',
        'netpin-results/waiting',
        'netpin-results/active',
        'netpin-results/delayed',
      ]),
    );
    expect(queues.every((s) => Number.isInteger(s.value) && s.value >= 0)).toBe(true);
  });

  it('reports free CPUs and VFs per NUMA node exactly as the host query does', async () => {
    const { host } = await client.request<{
      host: {
        numaNodes: { index: number; cpus: { reservedForHost: boolean; allocation: { vmId: string } | null }[] }[];
        nics: { numaNode: number | null; vfs: { allocatedToVmId: string | null }[] }[];
      };
    }>(
      `query ($n: String) { host(name: $n) { numaNodes { index cpus { reservedForHost allocation { vmId } } } nics { numaNode vfs { allocatedToVmId } } } }`,
      { n: hostName },
    );
    const e = (await scrapeApi()).exposition!;
    let allocated = 0;
    for (const node of host.numaNodes) {
      const free = node.cpus.filter((c) => !c.reservedForHost && c.allocation === null).length;
      allocated += node.cpus.filter((c) => c.allocation !== null).length;
      const freeVfs = host.nics
        .filter((n) => n.numaNode === node.index)
        .reduce((a, n) => a + n.vfs.filter((v) => v.allocatedToVmId === null).length, 0);
      expect(
        valueOf(e, 'netpin_host_free_dedicated_cpus', { host: hostName, numa_node: String(node.index) }),
        `free CPUs on node ${node.index}`,
      ).toBe(free);
      expect(valueOf(e, 'netpin_host_free_vfs', { host: hostName, numa_node: String(node.index) }), `free VFs on node ${node.index}`).toBe(
        freeVfs,
      );
    }
    // the VM holds CPUs and a VF, so the gauges are not just the host's totals
    expect(allocated).toBeGreaterThan(0);
    expect(host.nics.some((n) => n.vfs.some((v) => v.allocatedToVmId !== null))).toBe(true);
  });

  it('times SSH commands, connections and jobs for that host on the agent', async () => {
    const e = await scrapeAgent();
    expect(sumOf(e, 'netpin_agent_host_command_duration_seconds_count', { host: hostName })).toBeGreaterThan(0);
    expect(sumOf(e, 'netpin_agent_host_command_duration_seconds_sum', { host: hostName })).toBeGreaterThan(0);
    expect(valueOf(e, 'netpin_agent_ssh_connect_attempts_total', { host: hostName })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_agent_jobs_total', { name: 'vm.apply', outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_agent_jobs_total', { name: 'vm.verify', outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_agent_job_duration_seconds_count', { name: 'vm.apply', outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(e, 'netpin_agent_jobs_active', { name: 'vm.apply' })).toBe(0);
  });

  it('logs every agent line about the job with the request id and operation id', async () => {
    const lines = agentLines();
    const mine = lines.filter((l) => l.operationId === createOpId);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['job started', 'job succeeded']));
    expect(mine.every((l) => l.requestId === requestId)).toBe(true);
    // the verify job the API queued from the apply result keeps the same request id
    const verify = lines.filter((l) => l.kind === 'vm.verify' && l.msg === 'job succeeded');
    expect(verify.some((l) => l.requestId === requestId && typeof l.operationId === 'string' && l.operationId !== createOpId)).toBe(true);
    // no job line anywhere without its ids
    const jobLines = lines.filter((l) => l.jobId !== undefined);
    expect(jobLines.length).toBeGreaterThan(0);
    expect(jobLines.every((l) => typeof l.requestId === 'string' && typeof l.operationId === 'string')).toBe(true);
  });
});

describe('rejections and drift', () => {
  it('counts a rejected placement under each reason it reported', async () => {
    const before = (await scrapeApi()).exposition!;
    const r = await api.rest('POST', '/api/v1/vms', vmInput('metrics-too-big', { vcpus: 500, memoryMiB: 1024 }));
    expect(r.status).toBe(422);
    const codes = (r.body.summary as { code: string }[]).map((s) => s.code);
    expect(codes.length).toBeGreaterThan(0);
    const after = (await scrapeApi()).exposition!;
    for (const reason of codes) {
      const was = valueOf(before, 'netpin_placement_rejections_total', { kind: 'create', reason }) ?? 0;
      expect(valueOf(after, 'netpin_placement_rejections_total', { kind: 'create', reason }), reason).toBe(was + 1);
    }
    // a preview that does not fit counts under kind="preview", and a fitting one does not count
    const p = await api.rest('POST', '/api/v1/placement/preview', vmInput('metrics-preview', { vcpus: 500 }));
    expect(p.body.fits).toBe(false);
    await api.rest('POST', '/api/v1/placement/preview', vmInput('metrics-preview-ok'));
    const last = (await scrapeApi()).exposition!;
    expect(sumOf(last, 'netpin_placement_rejections_total', { kind: 'preview' })).toBe(
      new Set((p.body.rejection.summary as { code: string }[]).map((s) => s.code)).size,
    );
    expect(valueOf(last, 'netpin_placement_duration_seconds_count', { kind: 'preview' })).toBe(2);
  });

  it('counts drift events by host and field group, as many as were recorded', async () => {
    const h = sim.fleet.hosts[0];
    h.startIrqbalance(20);
    await new Promise((r) => setTimeout(r, 300));
    h.stopIrqbalance();
    const { checkDrift } = await client.request<{ checkDrift: { id: string }[] }>(`mutation ($h: ID!) { checkDrift(hostId: $h) { id } }`, {
      h: hostId,
    });
    expect(checkDrift.length).toBeGreaterThan(0);
    for (const op of checkDrift) await client.waitForOperation(op.id, 60_000);
    const { driftEvents } = await client.request<{ driftEvents: { field: string }[] }>(
      `query ($h: ID) { driftEvents(hostId: $h, first: 500) { field } }`,
      { h: hostId },
    );
    const irq = driftEvents.filter((d) => d.field.startsWith('irq.')).length;
    expect(irq).toBeGreaterThan(0);
    const e = (await scrapeApi()).exposition!;
    expect(valueOf(e, 'netpin_drift_events_total', { host: hostName, field: 'irq' })).toBe(irq);
  });
});
