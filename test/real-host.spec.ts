import { dirname } from 'node:path';
import { GqlClient } from '@netpin/client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
// The real-host tier (tools/realhost) and the real agent run in-process; apps and tools have no import alias.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAgent, type Agent } from '../apps/agent/src/agent';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig } from '../apps/agent/src/config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { describeRealHost, startRealHost, STANDARD_HOST, type RealHost } from '../tools/realhost/src';
import { startApi, type TestApi } from './support/api';
import { retireOtherHosts } from './support/seed';

/**
 * netpin end to end on a real hypervisor: the API and the agent of this repository, over
 * real SSH, onto a host running real libvirtd (QEMU driver) with real QEMU guests (KVM
 * where /dev/kvm exists) and real bridge, macvtap and tap devices. Only the NICs' PCI
 * identity and their queue IRQs are simulated (tools/realhost/src/host-script.ts).
 *
 * Each VM must reach RUNNING with its plan verified against what libvirt stores, and its
 * delete (or failed create) must leave the host as it was: no domain, no tap or macvtap,
 * every IRQ affinity and RPS mask at the value it had before.
 */
const HOST = `real-${process.pid % 10000}`;
const IRQS = [120, 121, 122, 123, 124, 125, 126, 127];
const RPS = ['ens3', 'ens4'].flatMap((nic) => [0, 1, 2, 3].map((q) => `${nic}/queues/rx-${q}`));

interface HostBaseline {
  domains: string;
  devices: string;
  irqs: Record<number, string>;
  rps: Record<string, string>;
}

async function baseline(host: RealHost): Promise<HostBaseline> {
  const r = await host.sh(
    [
      'virsh list --all --name | sed /^$/d',
      'echo ---',
      // taps and macvtaps libvirt creates for guests
      "ip -o link show | awk -F': ' '{print $2}' | grep -E '^(vnet|macvtap)' || true",
      'echo ---',
      ...IRQS.map((n) => `echo ${n}=$(cat /proc/irq/${n}/smp_affinity_list)`),
      'echo ---',
      ...RPS.map((p) => `echo ${p}=$(cat /sys/class/net/${p}/rps_cpus)`),
    ].join('; '),
  );
  expect(r.code, r.stderr).toBe(0);
  const [domains, devices, irqs, rps] = r.stdout.split('---\n');
  const pairs = (text: string): [string, string][] =>
    text
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]);
  return {
    domains: domains.trim(),
    devices: devices.trim(),
    irqs: Object.fromEntries(pairs(irqs)),
    rps: Object.fromEntries(pairs(rps)),
  };
}

interface OpView {
  id: string;
  state: string;
  errorCode: string | null;
  errorMessage: string | null;
  errorStderr: string | null;
}

describeRealHost('netpin on a real libvirt/QEMU host', () => {
  let host: RealHost;
  let agent: Agent;
  let api: TestApi;
  let client: GqlClient;
  let hostId = '';
  let before: HostBaseline;

  beforeAll(async () => {
    host = await startRealHost({ ...STANDARD_HOST, name: HOST.slice(0, 10), index: 231, stateDir: '/tmp/netpin-realhost' });
    // Values a host might hold before netpin ever touched it (not "all CPUs"): teardown must put these back.
    const set = await host.sh(
      'echo 0 > /proc/irq/120/smp_affinity_list; echo 1 > /proc/irq/125/smp_affinity_list; echo 2 > /sys/class/net/ens4/queues/rx-1/rps_cpus',
    );
    expect(set.code, set.stderr).toBe(0);
    before = await baseline(host);
    const config = loadConfig(
      {
        REDIS_URL: process.env.REDIS_URL,
        NETPIN_QUEUE_PREFIX: process.env.NETPIN_QUEUE_PREFIX,
        NETPIN_AGENT_KEY_DIR: dirname(host.clientKeyPath),
        LOG_LEVEL: 'silent',
        DATABASE_URL: process.env.DATABASE_URL,
        NETPIN_MASTER_KEY: process.env.NETPIN_MASTER_KEY,
      },
      'real-agent',
    );
    agent = createAgent({ ...config, agentId: 'real-agent-0' });
    await agent.start();
    await retireOtherHosts();
    // a 2-CPU machine: no core held back for the host, or one VM would fill it
    api = await startApi({ env: { NETPIN_HOST_RESERVED_CORES_PER_NODE: '0' } });
    client = new GqlClient(api.url);
    hostId = await register();
  });

  afterAll(async () => {
    await api?.close();
    await agent?.close();
    await host?.stop();
  });

  afterEach(async () => {
    // a failed test must not leave its VM holding the host's CPUs for the next one
    await client.waitIdle(120_000);
    const { vms } = await client.request<{ vms: { nodes: { id: string; state: string }[] } }>(`{ vms(first: 50) { nodes { id state } } }`);
    for (const vm of vms.nodes) {
      if (vm.state === 'DELETED' || vm.state === 'DELETING') continue;
      const { deleteVm } = await client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
        id: vm.id,
      });
      await client.waitForOperation(deleteVm.id, 120_000);
    }
  }, 300_000);

  /** The guest CPU this machine can start: nested KVM refuses the arch-capabilities MSR (QEMU "failed to set MSR 0x10a"); TCG has no host CPU to pass through. */
  function guestCpu(): Record<string, unknown> {
    return host.virtType === 'kvm'
      ? { mode: 'HOST_PASSTHROUGH', features: [{ name: 'arch-capabilities', policy: 'disable' }] }
      : { mode: 'CUSTOM', model: 'qemu64' };
  }

  async function register(): Promise<string> {
    const input = {
      name: HOST,
      address: host.address,
      port: host.port,
      sshUser: host.user,
      credentialRef: 'file:client_ed25519',
      hostKeyFingerprint: host.fingerprint,
      virtType: host.virtType === 'kvm' ? 'KVM' : 'QEMU',
      guestCpu: guestCpu(),
    };
    const { registerHost } = await client.request<{ registerHost: { id: string } }>(
      `mutation ($input: RegisterHostInput!) { registerHost(input: $input) { id } }`,
      { input },
    );
    const { discoverHost } = await client.request<{ discoverHost: { id: string } }>(
      `mutation ($id: ID!) { discoverHost(id: $id) { id } }`,
      { id: registerHost.id },
    );
    const op = await client.waitForOperation(discoverHost.id, 120_000);
    expect(op, JSON.stringify(op)).toMatchObject({ state: 'SUCCEEDED' });
    for (const input of [
      { name: 'real-br', kind: 'LINUX_BRIDGE', bridge: 'br0' },
      { name: 'real-mvt', kind: 'MACVTAP', macvtapMode: 'bridge' },
    ]) {
      await client.request(`mutation ($input: CreateNetworkInput!) { createNetwork(input: $input) { id } }`, { input });
    }
    for (const [network, nic] of [
      ['real-br', 'ens4'],
      ['real-mvt', 'ens3'],
    ]) {
      await client.request(`mutation ($input: MapNetworkToNicInput!) { mapNetworkToNic(input: $input) { id } }`, {
        input: { network, host: HOST, nic },
      });
    }
    return registerHost.id;
  }

  async function createVm(name: string, network: string, datapath: string): Promise<{ vmId: string; op: OpView }> {
    const { createVm } = await client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
      { input: { name, vcpus: 1, memoryMiB: 128, numaPolicy: 'NONE', interfaces: [{ network, datapath }] } },
    );
    const op = (await client.waitForOperation(createVm.operation.id, 240_000)) as unknown as OpView;
    return { vmId: createVm.vm.id, op };
  }

  async function deleteVm(vmId: string): Promise<OpView> {
    const { deleteVm } = await client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, {
      id: vmId,
    });
    return (await client.waitForOperation(deleteVm.id, 120_000)) as unknown as OpView;
  }

  /** One line per operation of the VM, with its steps' durations: where a real host spends the time. */
  async function timeline(vmId: string): Promise<void> {
    type Step = { name: string; startedAt: string | null; finishedAt: string | null };
    const { operations } = await client.request<{
      operations: {
        nodes: { kind: string; state: string; createdAt: string; startedAt: string | null; finishedAt: string | null; steps: Step[] }[];
      };
    }>(
      `query ($vm: ID!) { operations(targetId: $vm, first: 20) { nodes { kind state createdAt startedAt finishedAt steps { name startedAt finishedAt } } } }`,
      {
        vm: vmId,
      },
    );
    const ms = (a: string | null, b: string | null): string => (a && b ? `${Date.parse(b) - Date.parse(a)}ms` : '?');
    for (const o of [...operations.nodes].reverse()) {
      const steps = o.steps.map((st) => `${st.name} ${ms(st.startedAt, st.finishedAt)}`).join(', ');
      process.stdout.write(
        `  ${o.kind} ${o.state}: queued ${ms(o.createdAt, o.startedAt)}, ran ${ms(o.startedAt, o.finishedAt)} [${steps}]\n`,
      );
    }
  }

  it('discovers the host as it is', async () => {
    const { host: h } = await client.request<{
      host: { state: string; cpuCounts: { total: number }; nics: { name: string; pciAddress: string; driver: string }[] };
    }>(`query ($id: ID!) { host(id: $id) { state cpuCounts { total } nics { name pciAddress driver } } }`, { id: hostId });
    expect(h.state).toBe('READY');
    const local = await host.sh('nproc --all');
    expect(h.cpuCounts.total).toBe(Number(local.stdout.trim()));
    expect(h.nics.map((n) => [n.name, n.pciAddress, n.driver])).toEqual([
      ['ens3', '0000:3b:00.0', 'igb'],
      ['ens4', '0000:3b:00.1', 'igb'],
    ]);
  });

  const CASES: [string, string, string, string][] = [
    // datapath, network, the libvirt interface type and model libvirt must hold
    ['VIRTIO_USERSPACE', 'real-br', 'bridge', 'virtio'],
    ['E1000', 'real-br', 'bridge', 'e1000'],
    ['RTL8139', 'real-br', 'bridge', 'rtl8139'],
    ['VIRTIO_USERSPACE', 'real-mvt', 'direct', 'virtio'],
  ];
  for (const [datapath, network, type, model] of CASES) {
    it(`${datapath} over ${network}: RUNNING and in sync, and the host is back to its baseline after delete`, async () => {
      const name = `rv-${datapath.toLowerCase().replace(/_/g, '-')}-${type}`;
      const { vmId, op } = await createVm(name, network, datapath);
      expect(op, JSON.stringify(op)).toMatchObject({ state: 'SUCCEEDED' });
      const { vm } = await client.request<{ vm: { state: string; planState: { source: string; at: string | null } | null } }>(
        `query ($id: ID!) { vm(id: $id) { state planState { source at } } }`,
        { id: vmId },
      );
      expect(vm.state).toBe('RUNNING');
      expect(vm.planState).toMatchObject({ source: 'VERIFIED' });
      const live = await host.sh(`virsh domstate ${name}; virsh dumpxml ${name}`);
      expect(live.stdout).toMatch(/^running/);
      expect(live.stdout).toContain(`<interface type='${type}'>`);
      expect(live.stdout).toContain(`<model type='${model}'/>`);
      expect((await deleteVm(vmId)).state).toBe('SUCCEEDED');
      await timeline(vmId);
      expect(await baseline(host)).toEqual(before);
    }, 300_000);
  }

  it('reports hand-made changes (a vcpupin, a tap off its bridge) as drift and repairs them', async () => {
    const { vmId, op } = await createVm('rv-drift', 'real-br', 'VIRTIO_USERSPACE');
    expect(op, JSON.stringify(op)).toMatchObject({ state: 'SUCCEEDED' });
    const pinned = await host.sh(`virsh vcpupin rv-drift 0 --config | awk '$1 == "0" {print $2}'`);
    const other = pinned.stdout.trim() === '0' ? '1' : '0';
    const edit = await host.sh(`virsh vcpupin rv-drift 0 ${other} --config`);
    expect(edit.code, edit.stderr).toBe(0);
    // and its tap taken off the bridge: the guest runs on, cut off, and libvirt's XML does not show it
    const tap = (await host.sh(`virsh domiflist rv-drift | awk '$3 == "br0" {print $1}'`)).stdout.trim();
    expect(tap).toMatch(/^vnet\d+$/);
    expect((await host.sh(`ip link set dev ${tap} nomaster`)).code).toBe(0);

    const { checkDrift } = await client.request<{ checkDrift: { id: string }[] }>(`mutation ($h: ID!) { checkDrift(hostId: $h) { id } }`, {
      h: hostId,
    });
    for (const o of checkDrift) await client.waitForOperation(o.id, 120_000);
    await client.waitIdle(120_000);
    const { driftEvents } = await client.request<{ driftEvents: { field: string; vmId: string; repairedAt: string | null }[] }>(
      `query ($h: ID!) { driftEvents(hostId: $h) { field vmId repairedAt } }`,
      { h: hostId },
    );
    const mine = driftEvents.filter((e) => e.vmId === vmId);
    expect(mine.map((e) => e.field)).toEqual(expect.arrayContaining(['domain.cputune.vcpupins[0].cpuset', `tap.${tap}.master`]));
    expect(mine.every((e) => e.repairedAt !== null)).toBe(true);
    const after = await host.sh(`virsh vcpupin rv-drift 0 --config | awk '$1 == "0" {print $2}'`);
    expect(after.stdout.trim()).toBe(pinned.stdout.trim());
    expect((await host.sh(`ip -o link show dev ${tap}`)).stdout).toContain(' master br0 ');
    expect((await deleteVm(vmId)).state).toBe('SUCCEEDED');
    expect(await baseline(host)).toEqual(before);
  }, 300_000);

  it('fails a create the host refuses cleanly: the operation says why, the host is at its baseline', async () => {
    // a guest CPU model this QEMU does not know: libvirt refuses to start the domain
    await client.request(`mutation ($id: ID!, $input: UpdateHostInput!) { updateHost(id: $id, input: $input) { id } }`, {
      id: hostId,
      input: { guestCpu: { mode: 'CUSTOM', model: 'no-such-cpu-9000' } },
    });
    try {
      const { vmId, op } = await createVm('rv-refused', 'real-br', 'E1000');
      expect(op.state).toBe('FAILED');
      expect(`${op.errorMessage} ${op.errorStderr}`).toMatch(/no-such-cpu-9000/);
      const { vm } = await client.request<{ vm: { state: string } }>(`query ($id: ID!) { vm(id: $id) { state } }`, { id: vmId });
      expect(vm.state).toBe('FAILED');
      // the failed create's teardown runs on the host; the VM's CPUs are released only once it succeeds
      await client.waitIdle(120_000);
      const { operations } = await client.request<{ operations: { nodes: { kind: string; state: string }[] } }>(
        `query ($vm: ID!) { operations(targetId: $vm, first: 10) { nodes { kind state } } }`,
        { vm: vmId },
      );
      expect(operations.nodes).toContainEqual({ kind: 'vm.teardown', state: 'SUCCEEDED' });
      expect(await baseline(host)).toEqual(before);
    } finally {
      await client.request(`mutation ($id: ID!, $input: UpdateHostInput!) { updateHost(id: $id, input: $input) { id } }`, {
        id: hostId,
        input: { guestCpu: guestCpu() },
      });
    }
  }, 300_000);
  /**
   * NIC hot-plug on real libvirt 9.0 (q35): libvirt defines the domain with one spare PCIe
   * root port, so one live plug of a PCIe device (virtio) fits and the next finds no PCI slot
   * (a conventional PCI model, e1000 or rtl8139, finds none even first: q35 has no PCI bridge
   * for it unless the domain was defined with one); a live detach is a
   * request the guest answers, and the tier's diskless guest has no OS to answer it.
   * Deterministic here: the first attach, the second's refusal and its clean-up, the
   * detach that times out with the NIC still the VM's, and the host back at its baseline
   * after the delete.
   */
  it('hot-plugs a NIC into the running guest; a second finds no PCI slot; an unanswered detach keeps the NIC', async () => {
    const { vmId, op } = await createVm('rv-hotplug', 'real-br', 'VIRTIO_USERSPACE');
    expect(op, JSON.stringify(op)).toMatchObject({ state: 'SUCCEEDED' });
    const attach = async (datapath: string) => {
      const { attachInterface } = await client.request<{ attachInterface: { id: string } }>(
        `mutation ($vm: ID!, $input: VmInterfaceInput!) { attachInterface(vmId: $vm, input: $input) { id } }`,
        { vm: vmId, input: { network: 'real-br', datapath } },
      );
      return (await client.waitForOperation(attachInterface.id, 240_000)) as unknown as OpView;
    };
    const macs = async (inactive: boolean) =>
      (await host.sh(`virsh dumpxml ${inactive ? '--inactive ' : ''}rv-hotplug | grep -o "mac address='[^']*'"`)).stdout.trim().split('\n');
    const first = await attach('VIRTIO_USERSPACE');
    expect(first, JSON.stringify(first)).toMatchObject({ state: 'SUCCEEDED' });
    const { vm } = await client.request<{ vm: { interfaces: { id: string; mac: string }[] } }>(
      `query ($id: ID!) { vm(id: $id) { interfaces { id mac } } }`,
      { id: vmId },
    );
    const nic = vm.interfaces[1];
    expect(await macs(false)).toEqual(vm.interfaces.map((i) => `mac address='${i.mac}'`));
    expect(await macs(true)).toEqual(vm.interfaces.map((i) => `mac address='${i.mac}'`));
    const taps = await host.sh(
      `virsh domiflist rv-hotplug | awk '$3 == "br0" {print $1}' | xargs -n1 ip -o link show dev | grep -c ' master br0 '`,
    );
    expect(taps.stdout.trim()).toBe('2');

    const second = await attach('VIRTIO_USERSPACE');
    expect(second.state).toBe('FAILED');
    expect(second.errorStderr).toContain('No more available PCI slots');
    await client.waitIdle(120_000);
    expect(await macs(false)).toEqual(vm.interfaces.map((i) => `mac address='${i.mac}'`));

    const { detachInterface } = await client.request<{ detachInterface: { id: string } }>(
      `mutation ($vm: ID!, $nic: ID!) { detachInterface(vmId: $vm, interfaceId: $nic, input: { timeoutSeconds: 3 }) { id } }`,
      { vm: vmId, nic: nic.id },
    );
    const detached = (await client.waitForOperation(detachInterface.id, 120_000)) as unknown as OpView;
    expect(detached.state).toBe('FAILED');
    expect(detached.errorCode).toBe('DEVICE_NOT_RELEASED');
    expect(await macs(true)).not.toContain(`mac address='${nic.mac}'`);
    expect(await macs(false)).toContain(`mac address='${nic.mac}'`);
    await timeline(vmId);
    expect((await deleteVm(vmId)).state).toBe('SUCCEEDED');
    expect(await baseline(host)).toEqual(before);
  }, 600_000);
});
