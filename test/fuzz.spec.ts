import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Hostile input: 10,000 generated GraphQL (over HTTP and over WebSocket) and REST requests with wrong types, huge strings,
 * shell metacharacters, XML specials, unicode and absurd numbers. Whatever is sent, the API
 * answers 4xx (never 5xx), a rejected request changes nothing, and no host ever runs a
 * command carrying the injected marker.
 */
const MARKER = 'PWN3D';
const RUNS = Number(process.env.NETPIN_FUZZ_RUNS ?? 10_000);

const hostile = fc.oneof(
  fc.constantFrom(
    `br0;touch /tmp/${MARKER}`,
    `$(reboot ${MARKER})`,
    `\`id ${MARKER}\``,
    `eth0\n${MARKER}`,
    `<x>${MARKER}</x>`,
    `"' ${MARKER} &amp;`,
    `../../${MARKER}`,
    `${MARKER}|rm -rf /`,
    `${MARKER}\u0000`,
    `ëth0-${MARKER}-🙂`,
    `--${MARKER}`,
    `-rf${MARKER}`,
  ),
  fc.string({ maxLength: 40 }).map((s) => `${s}${MARKER}`),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);
const anyValue = fc.oneof(
  hostile,
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 31, -(2 ** 53), 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostile, { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);

function mutate<T extends Record<string, unknown>>(base: T) {
  return fc
    .record({ field: fc.constantFrom(...Object.keys(base)), value: anyValue })
    .map(({ field, value }) => ({ ...base, [field]: value }));
}

const hostBase = {
  name: 'fuzz-host',
  address: '192.0.2.99',
  port: 22,
  sshUser: 'root',
  credentialRef: 'file:k',
  hostKeyFingerprint: `SHA256:${'B'.repeat(43)}`,
};
const netBase = { name: 'fuzz-net', kind: 'LINUX_BRIDGE', bridge: 'br0', vlan: 10 };
const ifaceBase = { network: 'tenant-br', datapath: 'AUTO', mac: '52:54:00:00:00:01', vlan: 5 };
const vmBase = { name: 'fuzz-vm', vcpus: 1, memoryMiB: 512, cpuPolicy: 'DEDICATED', numaPolicy: 'REQUIRED' };

const request = fc.oneof(
  mutate(hostBase).map((input) => ({ kind: 'registerHost' as const, input })),
  mutate(netBase).map((input) => ({ kind: 'createNetwork' as const, input })),
  mutate(vmBase).chain((vm) => mutate(ifaceBase).map((i) => ({ kind: 'createVm' as const, input: { ...vm, interfaces: [i] } }))),
  mutate({ network: 'tenant-br', host: 'web-01', nic: 'eno1' }).map((input) => ({ kind: 'mapNetworkToNic' as const, input })),
  mutate(vmBase).map((input) => ({ kind: 'previewPlacement' as const, input })),
);

const GQL: Record<string, string> = {
  registerHost: 'mutation ($input: RegisterHostInput!) { registerHost(input: $input) { id } }',
  createNetwork: 'mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { id } }',
  createVm: 'mutation ($input: VmInput!) { createVm(input: $input) { vm { id } } }',
  mapNetworkToNic: 'mutation ($input: MapNetworkToNicInput!) { mapNetworkToNic(input: $input) { id } }',
  previewPlacement: 'query ($input: VmInput!) { previewPlacement(input: $input) { fits } }',
};
const REST: Record<string, (input: Record<string, unknown>) => [string, string, unknown]> = {
  registerHost: (i) => ['POST', '/api/v1/hosts', i],
  createNetwork: (i) => ['POST', '/api/v1/networks', i],
  createVm: (i) => ['POST', '/api/v1/vms', i],
  mapNetworkToNic: (i) => ['POST', `/api/v1/networks/${encodeURIComponent(String(i.network))}/mappings`, { host: i.host, nic: i.nic }],
  previewPlacement: (i) => ['POST', '/api/v1/placement/preview', i],
};

let c: Cluster;
let db: Db;

/** Rows only a request can create (operations and allocations also change as earlier VMs progress). */
async function counts(): Promise<number[]> {
  return Promise.all([
    db.host.count(),
    db.network.count(),
    db.networkNic.count(),
    db.vm.count(),
    db.auditEvent.count({ where: { result: 'ok' } }),
  ]);
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['small-one-node'], namePrefix: 'fuzz', vfsPerPf: 2 });
}, 180_000);
afterAll(async () => {
  await c?.stop();
  await db?.$disconnect();
});

describe(`${RUNS} hostile GraphQL (HTTP and WebSocket) and REST requests`, () => {
  it('never answer 5xx, never change state when rejected, never reach a host shell', async () => {
    const samples = fc.sample(request, { numRuns: RUNS, seed: 20261126 });
    const stats = { sent: 0, rejected: 0, accepted: 0, status: new Map<number, number>(), codes: new Map<string, number>() };
    for (let i = 0; i < samples.length; i += 16) {
      const batch = samples.slice(i, i + 16);
      const before = await counts();
      const results = await Promise.all(
        batch.map(async (s, k) => {
          const transport = (i + k) % 3;
          if (transport !== 2) {
            // the same document over POST /graphql or over graphql-ws: the same typed answers
            const r =
              transport === 0 ? await c.api.gql(GQL[s.kind], { input: s.input }) : await c.api.gqlWs(GQL[s.kind], { input: s.input });
            const code = r.errors?.[0]?.extensions?.code;
            const what = `${transport === 0 ? 'HTTP' : 'WebSocket'} ${s.kind} ${JSON.stringify(s.input).slice(0, 200)}`;
            expect(code, what).not.toBe('INTERNAL_SERVER_ERROR');
            if (r.errors) expect(typeof code, what).toBe('string');
            if (code) stats.codes.set(String(code), (stats.codes.get(String(code)) ?? 0) + 1);
            return r.errors ? 'rejected' : 'accepted';
          }
          const [method, path, body] = REST[s.kind](s.input);
          const r = await c.api.rest(method, path, body);
          stats.status.set(r.status, (stats.status.get(r.status) ?? 0) + 1);
          expect(r.status, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(500);
          return r.status >= 400 ? 'rejected' : 'accepted';
        }),
      );
      stats.sent += batch.length;
      const accepted = results.filter((x) => x === 'accepted').length;
      stats.accepted += accepted;
      stats.rejected += batch.length - accepted;
      // a batch in which everything was refused must leave every table as it was
      if (accepted === 0) expect(await counts()).toEqual(before);
    }
    await c.client.waitIdle(120_000);
    const commands = c.fleet.hosts.flatMap((h) => h.state().commandLog.map((e) => e.command));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((cmd) => cmd.includes(MARKER))).toEqual([]);
    expect(stats.sent).toBe(RUNS);
    expect(stats.rejected).toBeGreaterThan(RUNS * 0.9);
    process.stdout.write(
      `fuzz: ${stats.sent} requests, ${stats.rejected} rejected, ${stats.accepted} accepted, REST statuses ${JSON.stringify(Object.fromEntries(stats.status))}, GraphQL codes ${JSON.stringify(Object.fromEntries(stats.codes))}\n`,
    );
  }, 600_000);
});
