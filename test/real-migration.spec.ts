import { appendFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GqlClient } from '@netpin/client';
import { parseIpLinkShow, parseVirshListNames } from '@netpin/host-ops';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The real-host tier (tools/realhost) and the real agent run in-process; apps and tools have no import alias.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAgent, type Agent } from '../apps/agent/src/agent';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig } from '../apps/agent/src/config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { describeRealHost, linkForMigration, startRealHost, STANDARD_HOST, type MigrationLink, type RealHost } from '../tools/realhost/src';
import { startApi, type TestApi } from './support/api';
import { retireOtherHosts } from './support/seed';

/**
 * netpin's migrateVm end to end between two real hypervisors: the API and the agent of this
 * repository over real SSH, two real libvirtds (QEMU driver, TCG here) linked for migration
 * (tools/realhost/src/migration.ts). A VM on a Linux bridge moves COLD to the other host and
 * LIVE back (real `virsh migrate --live`), each time running where it went, its domain gone
 * from where it was, its tap on the bridge of the host it runs on.
 */
const TAG = `${process.pid % 10000}`;
const NAMES = [`rma-${TAG}`, `rmb-${TAG}`];

interface OpView {
  state: string;
  errorCode: string | null;
  errorMessage: string | null;
  errorStderr: string | null;
}

describeRealHost('netpin migrateVm between two real libvirt/QEMU hosts', () => {
  let hosts: RealHost[] = [];
  let link: MigrationLink;
  let agent: Agent;
  let api: TestApi;
  let client: GqlClient;

  beforeAll(async () => {
    hosts = await Promise.all(
      NAMES.map((name, i) =>
        startRealHost({ ...STANDARD_HOST, name, index: 160 + (process.pid % 8) * 2 + i, stateDir: '/tmp/netpin-realhost' }),
      ),
    );
    link = await linkForMigration(hosts);
    // One key folder for the agent: the first host's client key is let in on the second too.
    appendFileSync(`${hosts[1].stateRoot}/authorized_keys`, readFileSync(`${hosts[0].clientKeyPath}.pub`));
    const config = loadConfig(
      {
        REDIS_URL: process.env.REDIS_URL,
        NETPIN_QUEUE_PREFIX: process.env.NETPIN_QUEUE_PREFIX,
        NETPIN_AGENT_KEY_DIR: dirname(hosts[0].clientKeyPath),
        LOG_LEVEL: 'silent',
        DATABASE_URL: process.env.DATABASE_URL,
        NETPIN_MASTER_KEY: process.env.NETPIN_MASTER_KEY,
      },
      'real-agent',
    );
    agent = createAgent({ ...config, agentId: 'real-mig-agent-0' });
    await agent.start();
    await retireOtherHosts();
    api = await startApi({ env: { NETPIN_HOST_RESERVED_CORES_PER_NODE: '0' } });
    client = new GqlClient(api.url);
    for (const [i, h] of hosts.entries()) await register(NAMES[i], h);
    await client.request(`mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { id } }`, {
      input: { name: 'rm-br', kind: 'LINUX_BRIDGE', bridge: 'br0' },
    });
    for (const host of NAMES) {
      await client.request(`mutation ($input: MapNetworkToNicInput!) { mapNetworkToNic(input: $input) { id } }`, {
        input: { network: 'rm-br', host, nic: 'ens4' },
      });
    }
  });

  afterAll(async () => {
    await api?.close();
    await agent?.close();
    await link?.close();
    await Promise.all(hosts.map((h) => h.stop()));
  });

  async function register(name: string, h: RealHost): Promise<void> {
    const input = {
      name,
      address: h.address,
      port: h.port,
      sshUser: h.user,
      credentialRef: 'file:client_ed25519',
      hostKeyFingerprint: h.fingerprint,
      virtType: h.virtType === 'kvm' ? 'KVM' : 'QEMU',
      // TCG has no host CPU to pass through; nested KVM refuses the arch-capabilities MSR
      guestCpu:
        h.virtType === 'kvm'
          ? { mode: 'HOST_PASSTHROUGH', features: [{ name: 'arch-capabilities', policy: 'disable' }] }
          : { mode: 'CUSTOM', model: 'qemu64' },
    };
    const { registerHost } = await client.request<{ registerHost: { id: string } }>(
      `mutation ($input: RegisterHostInput!) { registerHost(input: $input) { id } }`,
      { input },
    );
    const { discoverHost } = await client.request<{ discoverHost: { id: string } }>(
      `mutation ($id: ID!) { discoverHost(id: $id) { id } }`,
      {
        id: registerHost.id,
      },
    );
    const op = await client.waitForOperation(discoverHost.id, 120_000);
    expect(op, JSON.stringify(op)).toMatchObject({ state: 'SUCCEEDED' });
  }

  const vmOf = async (id: string) =>
    (
      await client.request<{ vm: { state: string; hostName: string | null; planState: { source: string } | null } }>(
        `query ($id: ID!) { vm(id: $id) { state hostName planState { source } } }`,
        { id },
      )
    ).vm;

  it('COLD to the other host, then LIVE back: each time it runs where it went from its plan, nothing left where it was', async () => {
    const { createVm } = await client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
      {
        input: {
          name: 'rm-vm',
          vcpus: 1,
          memoryMiB: 128,
          numaPolicy: 'NONE',
          interfaces: [{ network: 'rm-br', datapath: 'VIRTIO_USERSPACE' }],
        },
      },
    );
    const created = (await client.waitForOperation(createVm.operation.id, 240_000)) as unknown as OpView;
    expect(created, JSON.stringify(created)).toMatchObject({ state: 'SUCCEEDED' });
    const from = (await vmOf(createVm.vm.id)).hostName;
    const to = NAMES.find((n) => n !== from) as string;
    const [src, dst] = [hosts[NAMES.indexOf(from as string)], hosts[NAMES.indexOf(to)]];

    const { migrateVm } = await client.request<{ migrateVm: { id: string } }>(
      `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`,
      { id: createVm.vm.id, input: { strategy: 'COLD', targetHost: to } },
    );
    const moved = (await client.waitForOperation(migrateVm.id, 300_000)) as unknown as OpView;
    expect(moved, JSON.stringify(moved)).toMatchObject({ state: 'SUCCEEDED' });
    expect(await vmOf(createVm.vm.id)).toMatchObject({ state: 'RUNNING', hostName: to, planState: { source: 'VERIFIED' } });

    expect((await dst.sh('virsh domstate rm-vm')).stdout).toBe('running\n\n');
    expect(parseVirshListNames((await src.sh('virsh list --all --name')).stdout)).toEqual([]);
    const taps = (h: RealHost) => h.sh('ip -d link show').then((r) => parseIpLinkShow(r.stdout).filter((l) => l.kind === 'tun'));
    expect((await taps(dst)).map((t) => t.master)).toEqual(['br0']);
    expect(await taps(src)).toEqual([]);

    // and back LIVE: virsh migrate --live from the second host to the first, the guest running throughout
    const { migrateVm: back } = await client.request<{ migrateVm: { id: string } }>(
      `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`,
      { id: createVm.vm.id, input: { strategy: 'LIVE', targetHost: from } },
    );
    const live = (await client.waitForOperation(back.id, 300_000)) as unknown as OpView;
    expect(live, JSON.stringify(live)).toMatchObject({ state: 'SUCCEEDED' });
    expect(await vmOf(createVm.vm.id)).toMatchObject({ state: 'RUNNING', hostName: from, planState: { source: 'VERIFIED' } });
    expect((await src.sh('virsh domstate rm-vm')).stdout).toBe('running\n\n');
    expect(parseVirshListNames((await dst.sh('virsh list --all --name')).stdout)).toEqual([]);
    expect((await taps(src)).map((t) => t.master)).toEqual(['br0']);
    expect(await taps(dst)).toEqual([]);
  }, 900_000);
});
