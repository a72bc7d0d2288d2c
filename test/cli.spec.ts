import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@netpin/hostsim';
import { formatCpuList, NetpinClient } from '@netpin/client';
import WebSocket from 'ws';
import { startCluster, type Cluster } from './support/cluster';

/**
 * The real `netpin` binary (bin/netpin.cjs, as `npx netpin` runs it) against the real stack:
 * API + agent + hostsim hosts over SSH. Every assertion is on the process's exit code,
 * stdout and stderr.
 */
const repoRoot = resolve(__dirname, '..');
let c: Cluster;
let client: NetpinClient;
let home: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(nodeArgs: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: repoRoot,
      // a private HOME: no developer config file leaks in
      env: { PATH: process.env.PATH, HOME: home, NETPIN_API_URL: c.api.url, NETPIN_TOKEN: process.env.NETPIN_TOKEN, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${nodeArgs.join(' ')} did not exit within 90 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 90_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

const netpin = (args: string[], env: Record<string, string | undefined> = {}): Promise<Run> =>
  run([join(repoRoot, 'bin/netpin.cjs'), ...args], env);

function json(r: Run): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'netpin-cli-home-'));
  c = await startCluster({ profiles: ['dual-socket-sriov', 'small-one-node'], namePrefix: 'cli' });
  client = new NetpinClient({ url: c.api.url, token: process.env.NETPIN_TOKEN });
}, 180_000);
afterAll(async () => {
  // leave the hosts as we found them: release every VM this file made
  if (client) {
    for (const vm of await client.listVms()) {
      if (!vm.name.startsWith('cli-') || vm.state === 'DELETED' || vm.state === 'DELETING') continue;
      await client.waitForOperation((await client.deleteVm(vm.id)).id, { timeoutMs: 60_000 });
    }
  }
  await c?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('netpin CLI against the running stack', () => {
  it('hosts list --json lists the fleet with its topology counts', async () => {
    const r = await netpin(['hosts', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const hosts = json(r) as {
      name: string;
      state: string;
      cpuCounts: { total: number; usable: number; free: number };
      numaNodes: { cpuCounts: { total: number } }[];
      nics: { sriovNumVfs: number }[];
    }[];
    const ours = hosts.filter((h) => h.name.startsWith('cli-'));
    expect(ours.map((h) => [h.name, h.state])).toEqual([
      ['cli-01', 'READY'],
      ['cli-02', 'READY'],
    ]);
    expect(ours[0].numaNodes.map((n) => n.cpuCounts.total)).toEqual([32, 32]);
    // reserved CPUs (the first core of each node) count in neither free nor usable
    expect(ours[0].cpuCounts).toMatchObject({ total: 64, usable: 60, free: 60 });
    expect(ours[0].nics.some((n) => n.sriovNumVfs === 8)).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('hosts show prints the NUMA topology: NICs under their node, VFs used/total, IRQs', async () => {
    const r = await netpin(['hosts', 'show', 'cli-01']);
    expect(r.code, r.stderr).toBe(0);
    const node1 = r.stdout.slice(r.stdout.indexOf('NUMA node 1:'));
    expect(r.stdout).toMatch(/^host cli-01 {2}READY/);
    expect(r.stdout).toMatch(/NUMA node 0: 32 CPUs/);
    // the SR-IOV PF ens5f0 sits on node 1 (hostsim dual-socket profile)
    expect(node1).toMatch(/ens5f0 .* NUMA 1 {2}VFs 0\/8 used/);
    expect(node1).toMatch(/IRQs \d+-\d+ \(q0-q\d+\): \d[-,\d]*, discovered /);
    expect(r.stdout).toMatch(/host-reserved \d/);
    expect(r.stdout).toContain('  CPUs 60 of 60 free (+4 reserved for the host)');
  });

  let created: { vm: any; operation: any };

  it('vm create waits for provisioning and exits 0 with the VM RUNNING', async () => {
    const r = await netpin([
      'vm',
      'create',
      '--name',
      'cli-vm-1',
      '--vcpus',
      '2',
      '--memory',
      '1G',
      '--net',
      'physnet0:sriov',
      '--idempotency-key',
      'cli-key-1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    created = json(r);
    expect(created.vm).toMatchObject({ name: 'cli-vm-1', state: 'RUNNING', vcpus: 2, memoryMiB: 1024 });
    expect(created.operation).toMatchObject({ kind: 'vm.create', state: 'SUCCEEDED', progress: 100 });
    expect(created.vm.plan.interfaces[0]).toMatchObject({ datapath: 'SRIOV', networkName: 'physnet0', numaLocal: true });
    // --json keeps stdout machine-readable and stderr free of progress noise
    expect(r.stderr).toBe('');
    // the API agrees, and the VF is now taken on that host
    expect((await client.getVm(created.vm.id)).state).toBe('RUNNING');
    const host = await client.getHost({ name: created.vm.plan.hostName });
    expect(host.nics.flatMap((n) => n.vfs).filter((v) => v.allocatedToVmId === created.vm.id)).toHaveLength(1);
  });

  it('hosts show prints what the VM applied: its IRQ affinity and its VF\u2019s MAC, by name, with their source', async () => {
    const r = await netpin(['hosts', 'show', created.vm.plan.hostName]);
    expect(r.code, r.stderr).toBe(0);
    const vf = created.vm.plan.interfaces[0];
    expect(r.stdout).toMatch(/ {2}vm cli-vm-1 {2}RUNNING, plan verified \S+ by cli-vm-1's plan/);
    expect(r.stdout).toContain(`VF ${vf.vfIndex}  ${vf.mac}`);
    expect(r.stdout).not.toMatch(/VF \d+ {2}00:00:00:00:00:00/);
    const pinned: number[] = created.vm.plan.irqAffinity.flatMap((a: { cpus: number[] }) => a.cpus);
    const irqLine = r.stdout.split('\n').find((l) => l.includes('(cli-vm-1), verified'));
    expect(irqLine, r.stdout).toBeDefined();
    expect(irqLine).toContain(`: ${formatCpuList(pinned)} (cli-vm-1)`);
    expect(r.stdout).toMatch(/vm cli-vm-1: vcpu [\d,-]+, .*irq [\d,-]+/);
  });

  it('vm create replayed with the same idempotency key returns the same VM', async () => {
    const r = await netpin([
      'vm',
      'create',
      '--name',
      'cli-vm-1',
      '--vcpus',
      '2',
      '--memory',
      '1G',
      '--net',
      'physnet0:sriov',
      '--idempotency-key',
      'cli-key-1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).vm.id).toBe(created.vm.id);
  });

  it('without --json, vm create shows progress lines on stderr (not a TTY) and the VM on stdout', async () => {
    const r = await netpin([
      'vm',
      'create',
      '--name',
      'cli-vm-2',
      '--vcpus',
      '1',
      '--memory',
      '512',
      '--net',
      'tenant-br',
      '--numa',
      'preferred',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/vm cli-vm-2 \(\S+\) accepted, operation \S+/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('vm.create '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/SUCCEEDED 100%/);
    // the progress names the VM, not the operation id
    for (const l of lines) expect(l).toMatch(/^vm\.create cli-vm-2: /);
    const percents = lines.map((l) => Number(/(\d+)%/.exec(l)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(r.stdout).toMatch(/^vm cli-vm-2 {2}RUNNING/);
    expect(r.stdout).toMatch(/nic 0 tenant-br: VHOST_BRIDGE/);
  });

  it('vm create with a bad vcpus exits 2 and names the field', async () => {
    const [r, notNumber] = await Promise.all([
      netpin(['vm', 'create', '--name', 'cli-bad', '--vcpus', '0', '--memory', '1G']),
      netpin(['vm', 'create', '--name', 'cli-bad', '--vcpus', 'two', '--memory', '1G']),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: vcpus: .+ \(BAD_USER_INPUT\)$/m);
    expect(r.stdout).toBe('');
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--vcpus: expected a whole number, got "two"');
    expect(await client.listVms().then((vms) => vms.filter((v) => v.name === 'cli-bad'))).toEqual([]);
  });

  it('preview takes NIC flags per --net and the CPU flags; the API judges their ranges', async () => {
    const shape = ['--vcpus', '2', '--memory', '1G', '--thread-policy', 'isolate', '--emulator-threads', 'isolate', '--json'];
    const nics = ['--net', 'physnet0:sriov', '--vlan', '42', '--live-migratable', '--net', 'tenant-br', '--min-bandwidth', '100M'];
    const [r, badVlan] = await Promise.all([
      netpin(['preview', ...shape, ...nics]),
      netpin(['preview', ...shape, '--net', 'physnet0', '--net', 'tenant-br', '--vlan', '5000']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const plan = json(r).plan;
    // --live-migratable: the VF gets a virtio failover backup; ISOLATE: idle siblings and an emulator CPU of its own
    expect(plan.interfaces[0]).toMatchObject({ datapath: 'SRIOV', vlan: 42, failover: true });
    expect(plan.interfaces[1]).toMatchObject({ datapath: 'VHOST_BRIDGE', failover: false });
    expect(plan.isolatedSiblings.length).toBeGreaterThan(0);
    expect(plan.emulatorCpus).toHaveLength(1);
    expect(plan.emulatorCpus).not.toContain(plan.vcpuPins[0].cpus[0]);
    expect(badVlan.code).toBe(2);
    expect(json(badVlan).error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interfaces.1.vlan' });
  });

  it('a VM that cannot be placed exits 1 with PLACEMENT_REJECTED and the reasons', async () => {
    const [r, asJson, preview] = await Promise.all([
      netpin(['vm', 'create', '--name', 'cli-huge', '--vcpus', '200', '--memory', '1G', '--host', 'cli-02']),
      netpin(['vm', 'create', '--name', 'cli-huge', '--vcpus', '200', '--memory', '1G', '--host', 'cli-02', '--json']),
      // preview tells the same story without writing anything
      netpin(['preview', '--vcpus', '200', '--memory', '1G', '--host', 'cli-02']),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(PLACEMENT_REJECTED\)$/m);
    expect(r.stderr).toMatch(/^ {2}INSUFFICIENT_DEDICATED_CPUS\w*: \d+ host\(s\)/m);
    expect(asJson.code).toBe(1);
    const err = json(asJson).error;
    expect(err.code).toBe('PLACEMENT_REJECTED');
    expect(err.summary.map((s: { code: string }) => s.code)).toContain('INSUFFICIENT_DEDICATED_CPUS');
    expect(preview.code).toBe(1);
    expect(preview.stdout).toMatch(/does not fit: .*\(PLACEMENT_REJECTED\)/);
  });

  it('the typed client follows an operation over the operationUpdated subscription', async () => {
    // polling slowed to 10 minutes: after the first read, only pushed updates can finish the wait
    const ws = new NetpinClient({ url: c.api.url, token: process.env.NETPIN_TOKEN, webSocketImpl: WebSocket });
    try {
      const { vm, operation } = await ws.createVm({ name: 'cli-vm-sub', vcpus: 1, memoryMiB: 512, interfaces: [{ network: 'tenant-br' }] });
      const seen: string[] = [];
      const done = await ws.waitForOperation(operation.id, {
        pollIntervalMs: 600_000,
        timeoutMs: 60_000,
        onProgress: (o) => seen.push(`${o.state}:${o.progress}`),
      });
      expect(done.state).toBe('SUCCEEDED');
      expect(seen.at(-1)).toBe('SUCCEEDED:100');
      expect(seen.length).toBeGreaterThanOrEqual(2);
      await ws.waitForOperation((await ws.deleteVm(vm.id)).id, { timeoutMs: 60_000 });
    } finally {
      await ws.close();
    }
  });

  it('operations watch on a finished operation prints it and exits 0', async () => {
    const [r, text] = await Promise.all([
      netpin(['operations', 'watch', created.operation.id, '--json']),
      netpin(['operations', 'watch', created.operation.id]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ id: created.operation.id, kind: 'vm.create', state: 'SUCCEEDED', progress: 100 });
    expect(text.stdout).toMatch(new RegExp(`^operation ${created.operation.id} {2}vm\\.create {2}SUCCEEDED {2}100%`));
  });

  it('vm stop, start and reboot wait for their operations; a reboot of a stopped VM is a conflict (exit 1)', async () => {
    const stop = await netpin(['vm', 'stop', 'cli-vm-1', '--shutdown-timeout', '5', '--json']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(json(stop)).toMatchObject({
      vm: { state: 'STOPPED', hostId: created.vm.hostId },
      operation: { kind: 'vm.stop', state: 'SUCCEEDED' },
    });
    const refused = await netpin(['vm', 'reboot', 'cli-vm-1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot be rebooted while STOPPED \(CONFLICT\)/);
    const bad = await netpin(['vm', 'stop', 'cli-vm-1', '--shutdown-timeout', 'soon']);
    expect(bad.code).toBe(2);
    const start = await netpin(['vm', 'start', 'cli-vm-1']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toBe(`vm cli-vm-1 (${created.vm.id}) running\n`);
    const reboot = await netpin(['vm', 'reboot', 'cli-vm-1', '--json']);
    expect(reboot.code, reboot.stderr).toBe(0);
    expect(json(reboot)).toMatchObject({ vm: { state: 'RUNNING' }, operation: { kind: 'vm.reboot', state: 'SUCCEEDED' } });
  });

  it('vm migrate --preview says where it would go; vm migrate moves it with a progress line per step', async () => {
    const before = await client.findVm('cli-vm-2');
    const preview = await netpin(['vm', 'migrate', 'cli-vm-2', '--preview']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(
      /^vm cli-vm-2 would move LIVE from \S+ to \S+\n {2}steps: reserve, unplug, transfer, plug, verify, release\n$/,
    );
    const r = await netpin(['vm', 'migrate', 'cli-vm-2', '--strategy', 'live']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('vm.migrate '));
    expect(lines.at(-1)).toMatch(/SUCCEEDED 100%/);
    expect(r.stdout).toMatch(/^vm cli-vm-2 \(\S+\) running\n$/);
    expect((await client.findVm('cli-vm-2')).hostId).not.toBe(before.hostId);
    const bad = await netpin(['vm', 'migrate', 'cli-vm-2', '--strategy', 'warp']);
    expect(bad.code).toBe(2);
  });

  it('vm nic attach hot-plugs a NIC by network name with a progress line per step; vm nic detach unplugs it by MAC', async () => {
    const unknown = await netpin(['vm', 'nic', 'attach', 'cli-vm-2', '--network', 'no-such-net']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: input\.network: .*no-such-net.* \(BAD_USER_INPUT\)/);
    const before = await client.findVm('cli-vm-2');
    const r = await netpin(['vm', 'nic', 'attach', 'cli-vm-2', '--network', 'tenant-br', '--max-bandwidth', '100M']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('vm.attachInterface '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/SUCCEEDED 100%/);
    const m = /^vm cli-vm-2: attached nic (\d+) tenant-br: (\S+) \(.+\) mac (\S+)\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [, index, datapath, mac] = m as RegExpExecArray;
    const attached = await client.findVm('cli-vm-2');
    expect(attached.interfaces).toHaveLength(before.interfaces.length + 1);
    expect(attached.interfaces.find((i) => i.mac === mac)).toMatchObject({ index: Number(index), datapath, networkName: 'tenant-br' });
    expect(attached.plan?.interfaces.find((i) => i.mac === mac)?.maxBandwidthMbps).toBe(100);

    const missing = await netpin(['vm', 'nic', 'detach', 'cli-vm-2', '02:00:00:00:00:99']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no interface with id or MAC "02:00:00:00:00:99"');
    const d = await netpin(['vm', 'nic', 'detach', 'cli-vm-2', mac.toUpperCase(), '--json']);
    expect(d.code, d.stderr).toBe(0);
    const out = json(d);
    expect(out).toMatchObject({ interfaceIndex: Number(index), operation: { kind: 'vm.detachInterface', state: 'SUCCEEDED' } });
    expect(out.vm.interfaces.map((i: { mac: string }) => i.mac)).toEqual(before.interfaces.map((i) => i.mac));
    expect((await client.findVm('cli-vm-2')).plan?.interfaces.map((i) => i.mac)).toEqual(before.plan?.interfaces.map((i) => i.mac));
  });

  it('vm show and vm delete find the VM by name; delete waits and frees the VF', async () => {
    const show = await netpin(['vm', 'show', 'cli-vm-1']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^vm cli-vm-1 {2}RUNNING/);
    const nic = created.vm.plan.interfaces[0];
    expect(show.stdout).toContain(`host ${created.vm.plan.hostName}, NUMA node(s) ${nic.numaNode}`);
    // a VF is the NIC's hardware: no virtio model or queue count (issue 13)
    expect(show.stdout).toContain(
      `nic 0 physnet0: SRIOV (VF ${nic.vfIndex} of ${nic.nicName} passed through, guest VF driver), NUMA ${nic.numaNode} local`,
    );
    expect(show.stdout).not.toMatch(/physnet0: SRIOV \(virtio/);
    const del = await netpin(['vm', 'delete', 'cli-vm-1', '--json']);
    expect(del.code, del.stderr).toBe(0);
    expect(json(del)).toMatchObject({ vm: { id: created.vm.id, state: 'DELETED' }, operation: { kind: 'vm.delete', state: 'SUCCEEDED' } });
    const host = await client.getHost({ name: created.vm.plan.hostName });
    expect(host.nics.flatMap((n) => n.vfs).filter((v) => v.allocatedToVmId === created.vm.id)).toEqual([]);
    const gone = await netpin(['vm', 'delete', 'no-such-vm']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/error: vm no-such-vm not found \(NOT_FOUND\)/);
  });

  it('refuses to run without a valid token (exit 3) and explains what to do', async () => {
    const [none, bad, down] = await Promise.all([
      netpin(['hosts', 'list'], { NETPIN_TOKEN: undefined }),
      netpin(['hosts', 'list', '--json'], { NETPIN_TOKEN: 'not-a-real-token-000000000000000' }),
      netpin(['hosts', 'list'], { NETPIN_API_URL: 'http://127.0.0.1:9' }),
    ]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/\(UNAUTHENTICATED\)/);
    expect(none.stderr).toContain('no API token given: set NETPIN_TOKEN');
    expect(bad.code).toBe(3);
    expect(json(bad).error.code).toBe('UNAUTHENTICATED');
    expect(bad.stderr).toContain('the API refused the token from NETPIN_TOKEN');
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach the API at http:\/\/127\.0\.0\.1:9\/graphql.*\(UNREACHABLE\)/);
  });

  it('reads url and token from a config file, and refuses one readable by everyone', async () => {
    const file = join(home, 'netpin.json');
    writeFileSync(file, JSON.stringify({ url: c.api.url, token: process.env.NETPIN_TOKEN }));
    chmodSync(file, 0o644);
    const open = await netpin(['networks', 'list', '--config', file], { NETPIN_TOKEN: undefined, NETPIN_API_URL: undefined });
    expect(open.code).toBe(3);
    expect(open.stderr).toContain(`config file ${file} holds a token and is readable by every user (mode 644); run: chmod 600 ${file}`);
    chmodSync(file, 0o600);
    const ok = await netpin(['networks', 'list', '--config', file], { NETPIN_TOKEN: undefined, NETPIN_API_URL: undefined });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^physnet0 +SRIOV_PHYSNET .*cli-01\/ens5f\d/m);
  });
});

describe('docs/examples/orchestrate.ts', () => {
  let extra: Fleet | undefined;
  afterAll(async () => {
    const h = await client.getHost({ name: 'cliex-01' }).catch(() => undefined);
    if (h)
      await client
        .request(`mutation ($id: ID!) { setHostMaintenance(id: $id, input: { enabled: true, reason: "cli test done" }) { id } }`, {
          id: h.id,
        })
        .catch(() => undefined);
    await extra?.stop();
  });

  it('registers and discovers a host, creates a VM idempotently with progress, and deletes it', async () => {
    // a fresh hypervisor sharing the cluster's client key, so the agent can reach it
    extra = await startFleet({ count: 1, profile: 'small-one-node', stateDir: c.stateDir, hostnamePrefix: 'cliex' });
    const h = extra.hosts[0];
    const out = await run(['-r', '@swc-node/register', 'docs/examples/orchestrate.ts'], {
      SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json'),
      HOST_NAME: h.hostname,
      HOST_ADDRESS: '127.0.0.1',
      HOST_PORT: String(h.port),
      HOST_USER: h.user,
      HOST_FINGERPRINT: h.fingerprint,
      HOST_CREDENTIAL: 'file:client_ed25519',
      VM_NAME: 'cli-example-vm',
      VM_NETWORK: 'tenant-br',
    });
    expect(out.code, `${out.stdout}\n${out.stderr}`).toBe(0);
    expect(out.stdout).toMatch(/^host cliex-01 READY: 1 NUMA node\(s\)/m);
    expect(out.stdout).toContain('retry with the same key returned the same VM');
    expect(out.stdout).toMatch(/create: SUCCEEDED 100%/);
    expect(out.stdout).toMatch(/^cli-example-vm RUNNING on cli-0\d/m);
    expect(out.stdout).toMatch(/^cli-example-vm DELETED$/m);
    const vms = await client.listVms({ name: 'cli-example-vm', includeDeleted: true });
    expect(vms.map((v) => v.state)).toEqual(['DELETED']);
    expect((await client.getHost({ name: 'cliex-01' })).state).toBe('READY');
  });
});
