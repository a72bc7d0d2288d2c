import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessSet, registerFleet, startSimFleet, type ApiProcess, type SimFleet } from './support/processes';
import { expectNoKeyMaterial } from './support/key-material';

/**
 * SSH private keys never leak: with debug logging on, nothing the API or the agent logs,
 * and nothing any API response carries, contains key material — neither for a key the
 * agent reads from its folder (file:) nor for one stored through the API (secret:).
 */
const procs = new ProcessSet();
const logs: string[] = [];
const bodies: string[] = [];
let sim: SimFleet;
let api: ApiProcess;

beforeAll(async () => {
  sim = await startSimFleet({ count: 1, profile: 'small-one-node', namePrefix: 'secret' });
  api = await procs.spawnApi('api-secrets', { LOG_LEVEL: 'debug' }, logs);
  await procs.spawnAgent('agent-secrets', sim.stateDir, { LOG_LEVEL: 'debug' }, logs);
  await registerFleet(api, sim, 2);
}, 180_000);
afterAll(async () => {
  await procs.killAll();
  await sim?.stop();
});

describe('key material', () => {
  it('appears in no log line and no API response across discovery, provisioning and teardown', async () => {
    const key = readFileSync(join(sim.stateDir, 'client_ed25519'), 'utf8');
    const record = async (r: { status: number; body: unknown }) => {
      bodies.push(JSON.stringify(r.body));
      return r;
    };
    // the same key stored encrypted through both APIs, and the host switched to it
    expect((await record(await api.rest('POST', '/api/v1/ssh-secrets', { name: 'secrets-rest', privateKey: key }))).status).toBe(201);
    const viaGql = await record(
      await api.gql(`mutation ($k: String!) { createSshSecret(input: { name: "secrets-gql", privateKey: $k }) { id fingerprint } }`, {
        k: key,
      }),
    );
    expect((viaGql.body as { errors?: unknown }).errors).toBeUndefined();
    const host = await record(await api.rest('GET', '/api/v1/hosts/secret-01'));
    expect(
      (await record(await api.rest('PATCH', `/api/v1/hosts/${(host.body as { id: string }).id}`, { credentialRef: 'secret:secrets-gql' })))
        .status,
    ).toBe(200);
    const created = await record(
      await api.rest('POST', '/api/v1/vms', { name: 'secret-vm', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'physnet0' }] }),
    );
    expect(created.status).toBe(202);
    const opId = (created.body as { operation: { id: string } }).operation.id;
    expect((await api.client.waitForOperation(opId)).state).toBe('SUCCEEDED');
    await record(await api.rest('GET', '/api/v1/hosts/secret-01'));
    await record(await api.rest('GET', `/api/v1/operations?first=100`));
    await record(await api.rest('GET', '/api/v1/audit'));
    await record(await api.rest('GET', '/api/v1/ssh-secrets'));
    await record(await api.rest('GET', '/api/v1/ssh-secrets/secrets-rest'));
    await record(
      await api.gql('{ sshSecrets { id name fingerprint publicKey keyId } auditEvents(action: "SshSecret") { action inputJson } }'),
    );
    await record(
      await api.gql(
        '{ hosts { nodes { name credentialRef hostKeyFingerprint } } vms(filter: { includeDeleted: true }) { nodes { name plan { hostName } } } }',
      ),
    );
    const vmId = (created.body as { vm: { id: string } }).vm.id;
    const del = await record(await api.rest('DELETE', `/api/v1/vms/${vmId}`));
    expect((await api.client.waitForOperation((del.body as { id: string }).id)).state).toBe('SUCCEEDED');

    expect(logs.length).toBeGreaterThan(20);
    expectNoKeyMaterial([...logs, ...bodies], key);
    expect(bodies.join('\n')).toContain('secret:secrets-gql');
    // the agent did reach the host with the stored key: provisioning above ran through it
    expect(logs.some((l) => l.includes('job succeeded') && l.includes('vm.apply'))).toBe(true);
  });
});
