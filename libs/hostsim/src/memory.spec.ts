import { describe, expect, it } from 'vitest';
import { hostFixture } from './test-fixture';

describe('huge pages on small-one-node', () => {
  it('grows and shrinks a pool, and clamps to what the node can hold like the kernel', async () => {
    const f = await hostFixture('small-one-node');
    const nr = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages';
    try {
      expect((await f.conn.run(['cat', nr])).stdout).toBe('512\n');
      expect((await f.conn.run(['tee', nr], '1024\n')).code).toBe(0);
      expect((await f.conn.run(['cat', nr, '/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages'])).stdout).toBe('1024\n1024\n');
      // 32 GiB node, 2 GiB kept back: at most 15360 pages of 2 MiB; asking for more is not an error.
      expect((await f.conn.run(['tee', nr], '100000\n')).code).toBe(0);
      expect((await f.conn.run(['cat', nr])).stdout).toBe('15360\n');
      expect((await f.conn.run(['tee', nr], 'lots\n')).stderr).toBe(`tee: ${nr}: Invalid argument\n`);
      const meminfo = (await f.conn.run(['cat', '/sys/devices/system/node/node0/meminfo'])).stdout;
      expect(meminfo).toMatch(/^Node 0 HugePages_Total: +15360$/m);
      expect(meminfo).toMatch(/^Node 0 MemTotal: +33554432 kB$/m);
      f.host.reboot();
      expect(f.host.state().hugepages[0].size2M).toEqual({ nr: 512, free: 512 });
    } finally {
      await f.close();
    }
  });
});
