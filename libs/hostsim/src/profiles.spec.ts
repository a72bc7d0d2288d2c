import { formatCpuList, parseCpuList } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { irqNamesFor } from './model';
import { PROFILE_NAMES, profileSpec } from './profiles';
import { hostFixture } from './test-fixture';

describe.each(PROFILE_NAMES.map((p) => [p]))('profile %s over SSH', (profile) => {
  const spec = profileSpec(profile, 'hv-test', 1);
  const nCpus = spec.cpu.sockets * spec.cpu.coresPerSocket * spec.cpu.threadsPerCore;

  it('reports what its spec says', async () => {
    const f = await hostFixture(profile);
    try {
      const run = f.conn.run;
      const lscpu = await run(['lscpu', '-p=CPU,CORE,SOCKET,NODE']);
      expect(lscpu.code).toBe(0);
      const rows = lscpu.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(rows).toHaveLength(nCpus);
      expect(new Set(rows.map((r) => r.split(',')[2])).size).toBe(spec.cpu.sockets);
      expect(new Set(rows.map((r) => r.split(',')[3])).size).toBe(spec.numaNodes.length);

      // Node cpulists partition the CPUs, and lscpu agrees with sysfs.
      const seen: number[] = [];
      for (let n = 0; n < spec.numaNodes.length; n++) {
        const list = parseCpuList((await run(['cat', `/sys/devices/system/node/node${n}/cpulist`])).stdout);
        expect(list).toEqual(rows.filter((r) => r.split(',')[3] === String(n)).map((r) => Number(r.split(',')[0])));
        seen.push(...list);
        const hp = await run([
          'cat',
          `/sys/devices/system/node/node${n}/hugepages/hugepages-2048kB/nr_hugepages`,
          `/sys/devices/system/node/node${n}/hugepages/hugepages-1048576kB/free_hugepages`,
        ]);
        if (spec.cpu.flags.includes('pdpe1gb'))
          expect(hp.stdout).toBe(`${spec.numaNodes[n].hugepages2M.nr}\n${spec.numaNodes[n].hugepages1G.nr}\n`);
        else {
          // Without gigantic pages (pdpe1gb) the kernel has no 1 GiB pool folder.
          expect(hp.stdout).toBe(`${spec.numaNodes[n].hugepages2M.nr}\n`);
          expect(hp.stderr).toContain('No such file or directory');
        }
      }
      expect(formatCpuList(seen)).toBe(`0-${nCpus - 1}`);

      const siblings = (await run(['cat', '/sys/devices/system/cpu/cpu0/topology/thread_siblings_list'])).stdout.trim();
      expect(parseCpuList(siblings)).toHaveLength(spec.cpu.threadsPerCore);

      expect((await run(['ls', '/sys/class/iommu'])).stdout !== '').toBe(spec.iommu);
      expect((await run(['test', '-e', '/dev/vhost-net'])).code).toBe(spec.vhostNet ? 0 : 1);
      expect((await run(['cat', '/proc/cmdline'])).stdout.match(/(intel|amd)_iommu=on/) !== null).toBe(spec.iommu);
      const cpuinfo = (await run(['cat', '/proc/cpuinfo'])).stdout;
      expect(cpuinfo.match(/^processor\t: /gm)).toHaveLength(nCpus);
      // VT-x (vmx, nested paging "ept") on Intel, AMD-V (svm, nested paging "npt") on AMD
      const [virt, paging] = spec.cpu.vendor === 'AuthenticAMD' ? ['svm', 'npt'] : ['vmx', 'ept'];
      expect(new RegExp(`^flags\\t\\t: .*\\b${virt}\\b`, 'm').test(cpuinfo)).toBe(true);
      expect(new RegExp(`^flags\\t\\t: .*\\b${paging}\\b`, 'm').test(cpuinfo)).toBe(spec.cpu.flags.includes(paging));

      const netdevs = (await run(['ls', '/sys/class/net'])).stdout.split('\n');
      const interrupts = (await run(['cat', '/proc/interrupts'])).stdout;
      for (const nic of spec.nics) {
        expect(netdevs).toContain(nic.name);
        expect((await run(['cat', `/sys/class/net/${nic.name}/device/numa_node`])).stdout).toBe(`${nic.numaNode}\n`);
        const total = await run(['cat', `/sys/class/net/${nic.name}/device/sriov_totalvfs`]);
        if (nic.sriovTotalVfs > 0) expect(total.stdout).toBe(`${nic.sriovTotalVfs}\n`);
        else
          expect(total).toMatchObject({
            code: 1,
            stderr: `cat: /sys/class/net/${nic.name}/device/sriov_totalvfs: No such file or directory\n`,
          });
        const irqLines = interrupts.split('\n').filter((l) => l.includes(nic.pciAddress));
        expect(irqLines.map((l) => l.trim().split(/\s+/).at(-1))).toEqual(irqNamesFor(nic));
        const ch = (await run(['ethtool', '-l', nic.name])).stdout;
        expect(ch).toContain(`Combined:\t${nic.maxCombined}\n`);
        expect(ch.endsWith(`Combined:\t${nic.combined}\n`)).toBe(true);
      }
      const ovs = await run(['ovs-vsctl', 'list-br']);
      if (spec.ovs)
        expect(ovs.stdout).toBe(
          spec.bridges
            .filter((b) => b.kind === 'ovs')
            .map((b) => `${b.name}\n`)
            .sort()
            .join(''),
        );
      else expect(ovs.code).toBe(127);
      const bridges = (await run(['ip', 'link', 'show', 'type', 'bridge'])).stdout;
      for (const b of spec.bridges.filter((x) => x.kind === 'linux')) expect(bridges).toMatch(new RegExp(`^\\d+: ${b.name}: `, 'm'));
    } finally {
      await f.close();
    }
  });
});

describe('dual-socket-sriov layout', () => {
  it('numbers hyperthreads like Linux on a two-socket Intel host', async () => {
    const f = await hostFixture('dual-socket-sriov');
    try {
      const r = await f.conn.run([
        'cat',
        '/sys/devices/system/node/node0/cpulist',
        '/sys/devices/system/node/node1/cpulist',
        '/sys/devices/system/cpu/cpu0/topology/thread_siblings_list',
        '/sys/devices/system/cpu/cpu17/topology/core_id',
        '/sys/devices/system/cpu/cpu17/topology/physical_package_id',
      ]);
      expect(r.stdout).toBe('0-15,32-47\n16-31,48-63\n0,32\n1\n1\n');
      const irq = await f.conn.run(['cat', '/proc/irq/200/smp_affinity']);
      expect(irq.stdout).toBe('ffffffff,ffffffff\n');
      const names = (await f.conn.run(['cat', '/proc/interrupts'])).stdout;
      expect(names).toMatch(/^ 100: .* IR-PCI-MSIX-0000:3b:00\.0 +1-edge +ens1f0-TxRx-0$/m);
      expect(names).toMatch(/^ 200: .* mlx5_comp0@pci:0000:af:00\.0$/m);
    } finally {
      await f.close();
    }
  });
});
