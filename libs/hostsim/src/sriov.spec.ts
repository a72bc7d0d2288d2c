import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, hostFixture } from './test-fixture';

const NUMVFS = '/sys/class/net/ens1f0/device/sriov_numvfs';

describe('SR-IOV on dual-socket-sriov', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await hostFixture('dual-socket-sriov');
  });
  afterAll(async () => f.close());
  const run = (cmd: string | string[], stdin?: string) => f.conn.run(cmd, stdin);

  it('creates VFs with PCI addresses from the PF offset and stride', async () => {
    expect(await run(['tee', NUMVFS], '4\n')).toEqual({ stdout: '4\n', stderr: '', code: 0 });
    // 82599: PF 3b:00.0, First VF Offset 0x80, stride 2 -> 3b:10.0, 3b:10.2, ...
    for (const [i, addr] of ['0000:3b:10.0', '0000:3b:10.2', '0000:3b:10.4', '0000:3b:10.6'].entries()) {
      expect((await run(['readlink', `/sys/class/net/ens1f0/device/virtfn${i}`])).stdout).toBe(`../${addr}\n`);
    }
    expect((await run(['readlink', '/sys/class/net/ens1f0/device/virtfn4'])).code).toBe(1);
    expect((await run(['cat', '/sys/bus/pci/devices/0000:3b:10.6/numa_node'])).stdout).toBe('0\n');
    expect((await run(['readlink', '/sys/bus/pci/devices/0000:3b:10.6/physfn'])).stdout).toBe('../0000:3b:00.0\n');
    expect(f.host.state().nics.find((n) => n.name === 'ens1f0')?.numVfs).toBe(4);
  });

  it('mlx5 VFs follow offset 2, stride 1', async () => {
    expect((await run(['tee', '/sys/class/net/ens5f0/device/sriov_numvfs'], '2')).code).toBe(0);
    expect((await run(['readlink', '/sys/class/net/ens5f0/device/virtfn1'])).stdout).toBe('../0000:af:00.3\n');
  });

  it('refuses a different non-zero count while VFs exist (EBUSY)', async () => {
    const r = await run(['tee', NUMVFS], '8\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tee: ${NUMVFS}: Device or resource busy\n`);
    const echo = await run(`echo 8 > ${NUMVFS}`);
    expect(echo).toEqual({ stdout: '', stderr: 'bash: line 1: echo: write error: Device or resource busy\n', code: 1 });
    expect((await run(['cat', NUMVFS])).stdout).toBe('4\n');
    // Writing the current value again is accepted.
    expect((await run(['tee', NUMVFS], '4\n')).code).toBe(0);
  });

  it('refuses more than sriov_totalvfs (ERANGE) and garbage (EINVAL)', async () => {
    expect((await run(['tee', NUMVFS], '64\n')).stderr).toBe(`tee: ${NUMVFS}: Numerical result out of range\n`);
    expect((await run(['tee', NUMVFS], 'four\n')).stderr).toBe(`tee: ${NUMVFS}: Invalid argument\n`);
    expect((await run(['tee', '/sys/class/net/ens1f0/device/sriov_totalvfs'], '8\n')).stderr).toMatch(/Permission denied/);
  });

  it('sets VF attributes and shows them in ip -d link show', async () => {
    const set = await run([
      'ip',
      'link',
      'set',
      'ens1f0',
      'vf',
      '2',
      'mac',
      '52:54:00:12:34:56',
      'vlan',
      '100',
      'max_tx_rate',
      '1000',
      'spoofchk',
      'off',
      'trust',
      'on',
      'state',
      'enable',
    ]);
    expect(set).toEqual({ stdout: '', stderr: '', code: 0 });
    const show = await run(['ip', '-d', 'link', 'show', 'dev', 'ens1f0']);
    const lines = show.stdout.split('\n');
    expect(lines).toContain(
      '    vf 2     link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff, vlan 100, max_tx_rate 1000Mbps, spoof checking off, link-state enable, trust on',
    );
    expect(lines).toContain(
      '    vf 1     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, spoof checking on, link-state auto, trust off',
    );
    expect(lines.filter((l) => l.startsWith('    vf '))).toHaveLength(4);
    expect(f.host.state().nics.find((n) => n.name === 'ens1f0')?.vfs[2]).toMatchObject({
      mac: '52:54:00:12:34:56',
      vlan: 100,
      maxTxRate: 1000,
      spoofchk: false,
      trust: true,
      linkState: 'enable',
    });
  });

  it('rejects bad VF requests with iproute2 and kernel errors', async () => {
    expect(await run(['ip', 'link', 'set', 'ens1f0', 'vf', '9', 'mac', '52:54:00:12:34:57'])).toEqual({
      stdout: '',
      stderr: 'RTNETLINK answers: Invalid argument\n',
      code: 2,
    });
    expect((await run(['ip', 'link', 'set', 'ens1f0', 'vf', '0', 'mac', '01:00:5e:00:00:01'])).stderr).toBe(
      'RTNETLINK answers: Invalid argument\n',
    );
    expect((await run(['ip', 'link', 'set', 'ens1f0', 'vf', '0', 'vlan', 'x'])).code).toBe(255);
    // ixgbe has no minimum rate; mlx5 does.
    expect((await run(['ip', 'link', 'set', 'ens1f0', 'vf', '0', 'min_tx_rate', '100'])).code).toBe(2);
    expect((await run(['ip', 'link', 'set', 'ens5f0', 'vf', '0', 'min_tx_rate', '100', 'max_tx_rate', '2000'])).code).toBe(0);
    expect((await run(['ip', 'link', 'set', 'ens1f0', 'vf', '0', 'max_tx_rate', '20000'])).code).toBe(2);
    expect((await run(['ip', 'link', 'set', 'eno1', 'vf', '0', 'trust', 'on'])).stderr).toBe(
      'RTNETLINK answers: Operation not supported\n',
    );
    expect((await run(['ip', 'link', 'set', 'ens9', 'vf', '0', 'trust', 'on'])).stderr).toBe('Cannot find device "ens9"\n');
    expect((await run(['ip', 'link', 'show', 'ens9'])).stderr).toBe('Device "ens9" does not exist.\n');
    // A failed request applies nothing, even the attributes before the bad one.
    await run(['ip', 'link', 'set', 'ens1f0', 'vf', '0', 'trust', 'on', 'qos', '9']);
    expect(f.host.state().nics.find((n) => n.name === 'ens1f0')?.vfs[0].trust).toBe(false);
  });

  it('refuses what the PF driver refuses, following VF_DRIVER_CAPABILITIES (ixgbe ens1f0, mlx5_core ens5f0)', async () => {
    const rtnl = (text: string) => ({ stdout: '', stderr: `RTNETLINK answers: ${text}\n`, code: 2 });
    const ok = { stdout: '', stderr: '', code: 0 };
    const set = (pf: string, ...a: string[]) => run(['ip', 'link', 'set', pf, 'vf', '0', ...a]);
    expect(await set('ens1f0', 'min_tx_rate', '100')).toEqual(rtnl('Invalid argument'));
    expect(await set('ens1f0', 'min_tx_rate', '0', 'max_tx_rate', '1000')).toEqual(ok);
    expect(await set('ens1f0', 'vlan', '10', 'proto', '802.1ad')).toEqual(rtnl('Protocol not supported'));
    expect(await set('ens5f0', 'vlan', '10', 'proto', '802.1ad')).toEqual(rtnl('Protocol not supported'));
    expect(await set('ens1f0', 'vlan', '10', 'proto', '802.1Q')).toEqual(ok);
    expect(await set('ens1f0', 'query_rss', 'on')).toEqual(ok);
    expect(await set('ens5f0', 'query_rss', 'on')).toEqual(rtnl('Operation not supported'));
    expect(await set('ens5f0', 'min_tx_rate', '100', 'state', 'enable')).toEqual(ok);
    expect(await set('ens1f0', 'vlan', '0', 'max_tx_rate', '0')).toEqual(ok);
  });

  it('resets VF state when numvfs goes to 0', async () => {
    expect((await run(['tee', NUMVFS], '0\n')).code).toBe(0);
    expect((await run(['ls', '/sys/class/net/ens1f0/device/'])).stdout).not.toMatch(/virtfn/);
    expect((await run(['tee', NUMVFS], '3\n')).code).toBe(0);
    const show = await run(['ip', 'link', 'show', 'ens1f0']);
    expect(show.stdout).toContain(
      '    vf 2     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, spoof checking on, link-state auto, trust off',
    );
  });

  it('changes channel counts within the maximum and exposes that many rx queues', async () => {
    expect(await run(['ethtool', '-L', 'ens1f0', 'combined', '8'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await run(['ls', '/sys/class/net/ens1f0/queues'])).stdout.split('\n').filter((q) => q.startsWith('rx-'))).toHaveLength(8);
    const tooMany = await run(['ethtool', '-L', 'ens1f0', 'combined', '33']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/exceeds maximum/);
  });
});
