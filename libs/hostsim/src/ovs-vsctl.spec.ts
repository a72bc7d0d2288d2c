import {
  ovsAddVhostUserPort,
  ovsDelPort,
  ovsListVhostUserInterfaces,
  ovsPortPlacement,
  parseOvsPortPlacement,
  parseOvsVhostUserInterfaces,
} from '@netpin/host-ops';
import { ifNameSchema, vlanIdSchema } from '@netpin/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostFixture, type Fixture } from './test-fixture';

/**
 * ovs-vsctl on the nfv-dpdk profile, as ovs-vsctl(8) documents it: one transaction per
 * invocation, --may-exist/--if-exists, errors naming the missing row, and what netpin's
 * vhost-user port commands leave behind.
 */
describe('hostsim ovs-vsctl (nfv-dpdk)', () => {
  let f: Fixture;
  const run = (argv: string[]) => f.conn.run(argv);
  const port = ifNameSchema.parse('vhu0a1b2c3d');
  const br = ifNameSchema.parse('br-dpdk');
  const spec = {
    bridge: br,
    port,
    socketPath: '/var/lib/vhost_sockets/vhu0a1b2c3d',
    vlan: vlanIdSchema.parse(300),
    maxRateMbps: 1000,
    vmId: 'vm-1',
  };

  beforeAll(async () => {
    f = await hostFixture('nfv-dpdk');
  });
  afterAll(async () => f?.close());

  it('answers the discovery reads: dpdk_initialized, the PMD mask and the bridges with their datapath types', async () => {
    expect((await run(['ovs-vsctl', '--timeout=5', 'get', 'Open_vSwitch', '.', 'dpdk_initialized'])).stdout).toBe('true\n');
    expect((await run(['ovs-vsctl', '--timeout=5', '--if-exists', 'get', 'Open_vSwitch', '.', 'other_config:pmd-cpu-mask'])).stdout).toBe(
      '"0x40004"\n',
    );
    const types = await run([
      'ovs-vsctl',
      '--format=csv',
      '--data=bare',
      '--no-headings',
      '--columns=name,datapath_type',
      'list',
      'Bridge',
    ]);
    expect(types.stdout).toBe('ovsbr0,\nbr-dpdk,netdev\n');
  });

  it('creates a marked, tagged dpdkvhostuserclient port and reads it back; a repeat changes nothing', async () => {
    for (let k = 0; k < 2; k++) expect((await run([...ovsAddVhostUserPort(spec).argv])).code).toBe(0);
    const ifaces = parseOvsVhostUserInterfaces((await run([...ovsListVhostUserInterfaces().argv])).stdout, 'netpin-vm-id');
    expect(ifaces).toEqual([{ name: port, socketPath: spec.socketPath, owner: 'vm-1', policingKbps: 1_000_000, mtuRequest: null }]);
    const placed = await run([...ovsPortPlacement(port).argv]);
    expect(parseOvsPortPlacement({ stdout: placed.stdout, exitCode: placed.code ?? -1 })).toEqual({
      bridge: 'br-dpdk',
      vlan: 300,
      trunks: [],
      vlanMode: null,
    });
    expect((await run(['ovs-vsctl', 'list-ports', 'br-dpdk'])).stdout).toBe(`${port}\n`);
  });

  it('converges the port to a trunk with a native VLAN and an MTU, then to a plain trunk, then back to an access port', async () => {
    const read = async () => {
      const placed = await run([...ovsPortPlacement(port).argv]);
      const iface = parseOvsVhostUserInterfaces((await run([...ovsListVhostUserInterfaces().argv])).stdout, 'netpin-vm-id');
      return { ...parseOvsPortPlacement({ stdout: placed.stdout, exitCode: placed.code ?? -1 }), mtu: iface[0]?.mtuRequest };
    };
    const trunk = { vlans: [20, 10, 30], native: { vlan: 30, mode: 'UNTAGGED' as const } };
    expect((await run([...ovsAddVhostUserPort({ ...spec, vlan: null, trunk, mtu: 9000 }).argv])).code).toBe(0);
    expect(await read()).toEqual({ bridge: 'br-dpdk', vlan: 30, trunks: [10, 20, 30], vlanMode: 'native-untagged', mtu: 9000 });
    expect((await run(['ovs-vsctl', 'get', 'Port', port, 'trunks', 'vlan_mode'])).stdout).toBe('[10, 20, 30]\nnative-untagged\n');
    expect((await run([...ovsAddVhostUserPort({ ...spec, vlan: null, trunk: { vlans: [10], native: null } }).argv])).code).toBe(0);
    expect(await read()).toEqual({ bridge: 'br-dpdk', vlan: null, trunks: [10], vlanMode: 'trunk', mtu: null });
    expect((await run([...ovsAddVhostUserPort(spec).argv])).code).toBe(0);
    expect(await read()).toEqual({ bridge: 'br-dpdk', vlan: 300, trunks: [], vlanMode: null, mtu: null });
    const bad = await run(['ovs-vsctl', 'set', 'Port', port, 'vlan_mode=native']);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      'ovs-vsctl: constraint violation: native is not one of the allowed values ([access, dot1q-tunnel, native-tagged, native-untagged, trunk])\n',
    ]);
    expect(() => ovsAddVhostUserPort({ ...spec, trunk: { vlans: [10], native: null } })).toThrow(/access vlan or a trunk/);
    expect(() => ovsAddVhostUserPort({ ...spec, vlan: null, trunk: { vlans: [0], native: null } })).toThrow(/1-4094/);
    expect(() => ovsAddVhostUserPort({ ...spec, vlan: null, trunk: { vlans: [10], native: { vlan: 20, mode: 'TAGGED' } } })).toThrow(
      /among the trunk/,
    );
  });

  it('runs the commands of one invocation as a transaction', async () => {
    const r = await run(['ovs-vsctl', 'add-port', 'br-dpdk', 'vhuother', '--', 'set', 'Interface', 'nosuch', 'type=dpdkvhostuserclient']);
    expect(r).toMatchObject({ code: 1, stderr: 'ovs-vsctl: no row "nosuch" in table Interface\n' });
    expect((await run(['ovs-vsctl', 'list-ports', 'br-dpdk'])).stdout).toBe(`${port}\n`);
  });

  it('refuses a second port of the same name and a bridge that does not exist', async () => {
    expect((await run(['ovs-vsctl', 'add-port', 'br-dpdk', port])).stderr).toMatch(/already exists on bridge br-dpdk/);
    expect((await run(['ovs-vsctl', 'add-port', 'br-nope', 'x'])).stderr).toBe('ovs-vsctl: no bridge named br-nope\n');
  });

  it('deletes the port; --if-exists makes a second delete a no-op, port-to-br then fails', async () => {
    expect((await run([...ovsDelPort(br, port).argv])).code).toBe(0);
    expect((await run([...ovsDelPort(br, port).argv])).code).toBe(0);
    expect((await run(['ovs-vsctl', 'del-port', 'br-dpdk', port])).stderr).toBe(`ovs-vsctl: no port named ${port}\n`);
    const placed = await run([...ovsPortPlacement(port).argv]);
    expect(parseOvsPortPlacement({ stdout: placed.stdout, exitCode: placed.code ?? -1 })).toBeNull();
  });
});
