import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, hostFixture } from './test-fixture';
import { connect } from './test-client';

describe('IRQ affinity and RPS', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('dual-socket-sriov');
  });
  afterAll(async () => f.close());
  const run = (cmd: string | string[], stdin?: string) => f.conn.run(cmd, stdin);

  it('writes a CPU list and reads it back as list and mask', async () => {
    expect((await run(['tee', '/proc/irq/100/smp_affinity_list'], '2-3\n')).code).toBe(0);
    expect((await run(['cat', '/proc/irq/100/smp_affinity', '/proc/irq/100/smp_affinity_list'])).stdout).toBe('00000000,0000000c\n2-3\n');
    expect(f.host.state().irqs.find((i) => i.irq === 100)?.affinity).toEqual([2, 3]);
  });

  it('writes a mask with 32-bit comma groups', async () => {
    expect((await run('echo 00000001,00000000 > /proc/irq/101/smp_affinity')).code).toBe(0);
    expect((await run(['cat', '/proc/irq/101/smp_affinity_list'])).stdout).toBe('32\n');
  });

  it('rejects CPUs the host lacks', async () => {
    // As the kernel does (seen on a real one): ERANGE from the list parser, EOVERFLOW from the mask parser.
    expect(await run(['tee', '/proc/irq/100/smp_affinity_list'], '64\n')).toEqual({
      stdout: '64\n',
      stderr: 'tee: /proc/irq/100/smp_affinity_list: Numerical result out of range\n',
      code: 1,
    });
    expect(await run('echo 1,00000000,00000000 > /proc/irq/100/smp_affinity')).toEqual({
      stdout: '',
      stderr: 'bash: line 1: echo: write error: Value too large for defined data type\n',
      code: 1,
    });
    expect((await run(['cat', '/proc/irq/100/smp_affinity_list'])).stdout).toBe('2-3\n');
    expect((await run(['tee', '/proc/irq/9999/smp_affinity_list'], '1\n')).stderr).toBe(
      'tee: /proc/irq/9999/smp_affinity_list: No such file or directory\n',
    );
  });

  it('counts interrupts only on the CPUs an IRQ targets', async () => {
    const line = (await run(['cat', '/proc/interrupts'])).stdout.split('\n').find((l) => l.endsWith(' ens1f0-TxRx-0'));
    const counts = (line ?? '').trim().split(/\s+/).slice(1, 65).map(Number);
    expect(counts.map((c, cpu) => (c > 0 ? cpu : -1)).filter((c) => c >= 0)).toEqual([2, 3]);
  });

  it('sets RPS masks per rx queue', async () => {
    const q = '/sys/class/net/ens1f0/queues/rx-0/rps_cpus';
    expect((await run(['cat', q])).stdout).toBe('00000000,00000000\n');
    expect((await run(['tee', q], 'ff00\n')).code).toBe(0);
    expect((await run(['cat', q])).stdout).toBe('00000000,0000ff00\n');
    expect(f.host.state().nics.find((n) => n.name === 'ens1f0')?.rps[0]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect((await run(['tee', q], '1,00000000,00000000\n')).code).toBe(1);
  });

  it('irqbalance moves affinities until it is stopped', async () => {
    expect((await run(['systemctl', 'is-active', 'irqbalance'])).stdout).toBe('active\n');
    f.host.startIrqbalance(20);
    await new Promise((r) => setTimeout(r, 120));
    const moved = f.host.state().irqs.filter((i) => i.irq >= 200 && i.irq < 232);
    // Every mlx5 queue IRQ now sits on one CPU of the NIC's node (node 1: 16-31,48-63).
    for (const i of moved) {
      expect(i.affinity).toHaveLength(1);
      expect((i.affinity[0] >= 16 && i.affinity[0] <= 31) || i.affinity[0] >= 48).toBe(true);
    }
    expect((await run(['systemctl', 'stop', 'irqbalance'])).code).toBe(0);
    expect((await run(['systemctl', 'is-active', 'irqbalance'])).code).toBe(3);
    expect((await run(['tee', '/proc/irq/200/smp_affinity_list'], '20\n')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 80));
    expect((await run(['cat', '/proc/irq/200/smp_affinity_list'])).stdout).toBe('20\n');
    f.host.stopIrqbalance();
  });
});

describe('reboot', () => {
  it('resets runtime state, keeps defined domains and refuses logins while down', async () => {
    const f = await hostFixture('small-one-node');
    try {
      const run = f.conn.run;
      await run(['tee', '/sys/class/net/enp1s0/device/sriov_numvfs'], '2\n');
      await run(['tee', '/proc/irq/30/smp_affinity_list'], '1\n');
      const xml =
        "<domain type='kvm'><name>keep</name><memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices/></domain>";
      expect((await run(['virsh', 'define', '/dev/stdin'], xml)).code).toBe(0);
      expect((await run(['virsh', 'start', 'keep'])).code).toBe(0);

      f.host.reboot(800);
      await expect(run(['true'])).rejects.toThrow(/closed/);
      await expect(connect({ host: f.host.address, port: f.host.port, username: 'root', privateKey: f.privateKey })).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 820));
      const c = await connect({ host: f.host.address, port: f.host.port, username: 'root', privateKey: f.privateKey });
      try {
        expect((await c.run(['cat', '/sys/class/net/enp1s0/device/sriov_numvfs', '/proc/irq/30/smp_affinity_list'])).stdout).toBe(
          '0\n0-7\n',
        );
        expect((await c.run(['virsh', 'list', '--all', '--name'])).stdout).toBe('keep\n\n');
        expect((await c.run(['virsh', 'domstate', 'keep'])).stdout).toBe('shut off\n\n');
        expect(f.host.state().bootCount).toBe(2);
      } finally {
        c.end();
      }
    } finally {
      await f.close();
    }
  });
});
