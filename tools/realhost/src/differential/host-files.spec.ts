import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { formatCpuList, ifNameSchema, parseCpuList } from '@netpin/contracts';
import {
  assembleFacts,
  nextDiscoverySteps,
  ethtoolShowChannels,
  hostPaths,
  ipLinkShow,
  lscpu,
  parseCpuMaskFile,
  parseEthtoolChannels,
  parseGrepFiles,
  parseIpLinkShow,
  parseLscpu,
  readFiles,
  setRpsCpus,
  vdpaDevAdd,
  vdpaDevShow,
  vdpaMgmtdevShow,
  writeFile,
  writeFilesBatch,
  type CommandOutput,
  type DiscoveryOutputs,
  type HostCommand,
  type IpLink,
} from '@netpin/host-ops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRealHost } from '../tier';
import { DIFF_HOST, pairIndex, startPair, type HostPair } from './pair';

/**
 * hostsim's iproute2, ethtool, lscpu and kernel files against the real ones, through the
 * host-ops parsers. The real host's NICs are veths with a simulated PCI device folder
 * (host-script.ts): where a field of a NIC only says "this is a veth" (its link kind, its
 * peer, its channel layout), hostsim (which simulates PCI NICs) is not asked to agree;
 * everything else must. IRQ affinity files of the real host are plain files, so the kernel's
 * smp_affinity_list is compared on one of this machine's own IRQs instead.
 */
const ens3 = ifNameSchema.parse('ens3');
const ens4 = ifNameSchema.parse('ens4');

/** The errno text of a failed write ("tee: PATH: Invalid argument" -> "Invalid argument"). */
const errnoOf = (o: CommandOutput): string => /: ([A-Z][^:\n]*)\n?$/.exec(o.stderr ?? '')?.[1] ?? '';

/** What a write answered: exit code and errno text, the same on both or a hostsim bug. */
const outcome = (o: CommandOutput): { code: number; errno: string } => ({ code: o.exitCode, errno: errnoOf(o) });

/** The fields of a link netpin reads; `veth` drops those that only say the real NIC is a veth. */
function linkFields(l: IpLink | undefined, veth = false): Partial<IpLink> | undefined {
  if (l === undefined) return undefined;
  const { index: _index, kind, parent, parentBus, parentDev, ...rest } = l;
  return veth ? rest : { ...rest, kind, parent, parentBus, parentDev };
}

/** netpin's discovery, step by step as the agent runs it, on one side of the pair. */
async function discover(p: HostPair, side: 'real' | 'sim'): Promise<ReturnType<typeof assembleFacts>> {
  const out: Record<string, CommandOutput> = {};
  for (let steps = nextDiscoverySteps(out); steps.length > 0; steps = nextDiscoverySteps(out as DiscoveryOutputs)) {
    for (const { key, command } of steps) out[key] = (await p.run(command))[side];
  }
  return assembleFacts(out);
}

describeRealHost('differential: ip, ethtool, lscpu, sysfs and procfs (hostsim vs real kernel)', () => {
  let p: HostPair;
  beforeAll(async () => {
    p = await startPair(`df-${process.pid % 1000}`, pairIndex(210));
  });
  afterAll(async () => p?.close());

  it('vdpa on a kernel without the vdpa netlink family: the same failure, and discovery reads it as no vdpa', async () => {
    const add = vdpaDevAdd({ name: 'vdp00000000', mgmtdev: 'pci/0000:af:00.2', mac: '52:54:00:00:00:01', maxVqp: 1, mtu: null } as never);
    for (const cmd of [vdpaMgmtdevShow(), vdpaDevShow(), add]) {
      const { real, sim } = await p.run(cmd);
      expect({ code: sim.exitCode, stdout: sim.stdout, stderr: sim.stderr }, cmd.argv.join(' ')).toEqual({
        code: real.exitCode,
        stdout: real.stdout,
        stderr: real.stderr,
      });
    }
    const [real, sim] = await Promise.all([discover(p, 'real'), discover(p, 'sim')]);
    expect(sim.vdpa).toEqual(real.vdpa);
    expect(real.vdpa).toEqual({ mgmtdevs: [], devices: [] });
    expect(sim.capabilities.vhostVdpa).toBe(real.capabilities.vhostVdpa);
  });

  it('ip -d link show: the NICs, the bridge and its port read the same', async () => {
    const { real, sim } = await p.runOk(ipLinkShow());
    const find = (text: string, name: string) => parseIpLinkShow(text).find((l) => l.name === name);
    for (const nic of DIFF_HOST.nics)
      expect(linkFields(find(sim.stdout, nic.name), true)).toEqual(linkFields(find(real.stdout, nic.name), true));
    expect(linkFields(find(sim.stdout, 'br0'))).toEqual(linkFields(find(real.stdout, 'br0')));
    expect(find(real.stdout, 'ens3')?.kind).toBe('veth'); // the simulation boundary named above
    const one = await p.runOk(ipLinkShow(ens4));
    expect(parseIpLinkShow(one.sim.stdout).map((l) => linkFields(l, true))).toEqual(
      parseIpLinkShow(one.real.stdout).map((l) => linkFields(l, true)),
    );
    const missing = await p.run(ipLinkShow(ifNameSchema.parse('ens9')));
    expect(outcome(missing.sim)).toEqual(outcome(missing.real));
    expect(missing.sim.stderr).toBe(missing.real.stderr);
  });

  it('ip link set PF vf N vlan … [qos …] [proto …]: iproute2 takes or refuses the same words the same way', async () => {
    // ens3 is a veth here (no VF ops: EOPNOTSUPP once the words parse) and a NIC without VFs in the twin
    const cases = [
      ['vlan', '100', 'proto', '802.1ad'],
      ['vlan', '100', 'qos', '3', 'proto', '802.1ad'],
      ['vlan', '4095'],
      ['vlan', '4096'],
      ['vlan', 'x'],
      ['proto', '802.1ad'],
      ['vlan', '100', 'proto', '802.1x'],
      ['vlan', '100', 'proto', '802.1ad', 'qos', '3'],
    ];
    for (const words of cases) {
      const o = await p.run({ argv: ['ip', 'link', 'set', 'ens3', 'vf', '0', ...words] });
      expect({ words, code: o.sim.exitCode, stderr: o.sim.stderr }).toEqual({ words, code: o.real.exitCode, stderr: o.real.stderr });
    }
  });

  it('ethtool -l: same layout of the answer, same errors', async () => {
    const { real, sim } = await p.runOk(ethtoolShowChannels(ens3));
    // Labels and separators as the parser reads them; the counts are the device's (veth vs PCI NIC).
    const layout = (t: string): string[] => t.split('\n').map((l) => l.replace(/(\t+)(\d+|n\/a)$/, '$1#'));
    expect(layout(sim.stdout)).toEqual(layout(real.stdout));
    expect(() => parseEthtoolChannels(real.stdout)).not.toThrow();
    for (const dev of ['br0', 'ens9']) {
      const o = await p.run(ethtoolShowChannels(ifNameSchema.parse(dev)));
      expect({ code: o.sim.exitCode, stderr: o.sim.stderr }).toEqual({ code: o.real.exitCode, stderr: o.real.stderr });
    }
  });

  it('discovery: the same host facts from both, but for what the twin cannot copy', async () => {
    const [real, sim] = [await discover(p, 'real'), await discover(p, 'sim')];
    expect(sim.cpus).toEqual(real.cpus);
    expect(sim.numaNodes.map((n) => ({ id: n.id, cpus: n.cpus }))).toEqual(real.numaNodes.map((n) => ({ id: n.id, cpus: n.cpus })));
    // veth-backed NICs: no link speed, rx/tx channels instead of combined ones (the simulation boundary).
    const nic = ({ channels: _c, speedMbps: _s, ...rest }: (typeof real.nics)[number]) => rest;
    expect(real.nics.map((n) => [n.name, n.driver, n.pciAddress, n.irqs.length, n.rps.length])).toEqual([
      ['ens3', 'igb', '0000:3b:00.0', 4, 4],
      ['ens4', 'igb', '0000:3b:00.1', 4, 4],
    ]);
    expect(sim.nics.map(nic)).toEqual(real.nics.map(nic));
    expect(sim.numaNodes.map((n) => n.hugepages)).toEqual(real.numaNodes.map((n) => n.hugepages));
    expect(sim.capabilities).toEqual(real.capabilities);
    expect(sim.bridges).toEqual(real.bridges);
  });

  it('lscpu -p: the same CPUs, cores, sockets and nodes', async () => {
    const { real, sim } = await p.runOk(lscpu());
    expect(parseLscpu(sim.stdout)).toEqual(parseLscpu(real.stdout));
  });

  it('rps_cpus: same reads, same writes, same refusals', async () => {
    const nr = parseLscpu((await p.runOk(lscpu())).real.stdout).length;
    const paths = [0, 1, 2, 3].map((q) => hostPaths.rpsCpus(ens3, q));
    const read = async (): Promise<void> => {
      const { real, sim } = await p.runOk(readFiles(paths));
      const masks = (t: string) => [...parseGrepFiles(t, paths)].map(([k, v]) => [k, parseCpuMaskFile('rps_cpus', v)]);
      expect(masks(sim.stdout)).toEqual(masks(real.stdout));
      expect(sim.stdout).toBe(real.stdout);
    };
    await read();
    for (const cpus of [[nr - 1], [0, nr - 1], []]) {
      const o = await p.run(setRpsCpus(ens3, 1, cpus, nr));
      expect(outcome(o.sim)).toEqual(outcome(o.real));
      await read();
    }
    const writes: HostCommand[] = [
      writeFile(hostPaths.rpsCpus(ens3, 2), 'zz'),
      writeFile(hostPaths.rpsCpus(ens3, 2), (1n << BigInt(nr)).toString(16)), // a CPU the host lacks
      writeFile(hostPaths.rpsCpus(ens3, 2), '1,0'),
      writeFile(hostPaths.rpsCpus(ens3, 9), '1'), // a queue the NIC lacks
    ];
    for (const w of writes) {
      const o = await p.run(w);
      expect({ write: w.stdin, ...outcome(o.sim) }).toEqual({ write: w.stdin, ...outcome(o.real) });
      await read();
    }
  });

  it('rps_cpus written in one batch (writeFilesBatch): same outcome, same files, stops at the first refusal', async () => {
    const nr = parseLscpu((await p.runOk(lscpu())).real.stdout).length;
    const paths = [0, 1, 2, 3].map((q) => hostPaths.rpsCpus(ens3, q));
    const masks = async () => {
      const { real, sim } = await p.runOk(readFiles(paths));
      expect(sim.stdout).toBe(real.stdout);
      return real.stdout;
    };
    const good = await p.run(writeFilesBatch([setRpsCpus(ens3, 0, [nr - 1], nr), setRpsCpus(ens3, 3, [0], nr)]));
    expect(outcome(good.sim)).toEqual(outcome(good.real));
    expect(good.real.exitCode).toBe(0);
    const written = await masks();
    // the second write is refused: the first is done, the third never runs
    const bad = await p.run(
      writeFilesBatch([setRpsCpus(ens3, 1, [0], nr), writeFile(hostPaths.rpsCpus(ens3, 2), 'zz'), setRpsCpus(ens3, 3, [nr - 1], nr)]),
    );
    expect(outcome(bad.sim)).toEqual(outcome(bad.real));
    expect(bad.real.exitCode).not.toBe(0);
    const after = await masks();
    expect(after).not.toBe(written);
    expect(after.split('\n').find((l) => l.startsWith(paths[3]))).toBe(written.split('\n').find((l) => l.startsWith(paths[3])));
    await p.run(writeFilesBatch([setRpsCpus(ens3, 0, [], nr), setRpsCpus(ens3, 1, [], nr), setRpsCpus(ens3, 3, [], nr)]));
  });

  it('a baseline record, its folder and an rps_cpus write in one batch (writeFilesBatch with a folder), read back with the CPUs online', async () => {
    const nr = parseLscpu((await p.runOk(lscpu())).real.stdout).length;
    const dir = `/var/lib/netpin/df-batch-${process.pid}`;
    const record = `${dir}/rps-ens3-rx-2`;
    const paths = [hostPaths.rpsCpus(ens3, 2), record, hostPaths.cpusOnline];
    const files = async (): Promise<Map<string, string>> => {
      const { real, sim } = await p.runOk(readFiles(paths));
      expect(sim.stdout).toBe(real.stdout);
      return parseGrepFiles(real.stdout, paths);
    };
    const before = await files();
    expect(before.has(record)).toBe(false);
    // the online list counts what lscpu -p counts (the agent reads it with the files instead of running lscpu)
    expect(parseCpuList(before.get(hostPaths.cpusOnline) ?? '').length).toBe(nr);
    try {
      const first = await p.run(writeFilesBatch([writeFile(record, before.get(paths[0]) ?? ''), setRpsCpus(ens3, 2, [nr - 1], nr)], dir));
      expect(outcome(first.sim)).toEqual(outcome(first.real));
      expect(first.real.exitCode).toBe(0);
      const written = await files();
      expect(written.get(record)).toBe(before.get(paths[0]));
      // the folder is there now; a refused write stops the list after the record
      const bad = await p.run(writeFilesBatch([writeFile(record, 'again'), writeFile(paths[0], 'zz')], dir));
      expect(outcome(bad.sim)).toEqual(outcome(bad.real));
      expect(bad.real.exitCode).not.toBe(0);
      const after = await files();
      expect(after.get(record)).toBe('again');
      expect(after.get(paths[0])).toBe(written.get(paths[0]));
    } finally {
      await p.run(writeFilesBatch([setRpsCpus(ens3, 2, [], nr)]));
      await p.run({ argv: ['rm', '-f', '--', record] });
    }
  });

  it('smp_affinity_list: hostsim answers like this kernel does for a real IRQ', async () => {
    const nr = parseLscpu((await p.runOk(lscpu())).real.stdout).length;
    const all = formatCpuList(Array.from({ length: nr }, (_, c) => c));
    const irq = readdirSync('/proc/irq')
      .filter((d) => /^\d+$/.test(d))
      .find((d) => readFileSync(`/proc/irq/${d}/smp_affinity_list`, 'utf8').trim() === all);
    if (irq === undefined) throw new Error(`no IRQ of this machine has affinity ${all} to compare with`);
    const realPath = `/proc/irq/${irq}/smp_affinity_list`;
    const simPath = hostPaths.irqAffinityList(DIFF_HOST.nics[0].firstIrq);
    const onReal = async (value: string): Promise<CommandOutput> =>
      new Promise((resolve) => {
        const c = execFile('tee', ['--', realPath], (e, stdout, stderr) =>
          resolve({ stdout, stderr, exitCode: e === null ? 0 : typeof e.code === 'number' ? e.code : 1 }),
        );
        c.stdin?.end(`${value}\n`);
      });
    try {
      // Only the set it already has, spelled otherwise, or values the kernel refuses: the IRQ never moves.
      for (const value of [Array.from({ length: nr }, (_, c) => c).join(','), all, String(nr), `${nr - 1}-0`, '', 'x', `0-${nr + 3}`]) {
        const real = await onReal(value);
        const sim = await p.sim.sh(`tee -- ${simPath}`, `${value}\n`);
        expect({ value, ...outcome({ ...sim, exitCode: sim.code }) }).toEqual({ value, ...outcome(real) });
        const back = { real: readFileSync(realPath, 'utf8'), sim: (await p.sim.sh(`cat ${simPath}`)).stdout };
        expect(back.sim).toBe(back.real);
        expect(parseCpuList(back.sim)).toEqual(parseCpuList(back.real));
      }
    } finally {
      await onReal(all);
    }
  });
});
