import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { runCli } from './cli';
import { vlanText } from './format';
import { networkInputFromFlags, networkUpdateFromFlags } from './network-input';

describe('networks create / update flags', () => {
  it('maps every flag to its CreateNetworkInput field, enums by their CLI spelling', () => {
    const input = networkInputFromFlags('t', {
      kind: 'ovs-bridge',
      bridge: 'br-int',
      trunk: '200, 100',
      'native-vlan': '100',
      'native-mode': 'tagged',
      mtu: '9000',
    });
    expect(input).toEqual({
      name: 't',
      kind: 'OVS_BRIDGE',
      bridge: 'br-int',
      trunkVlans: [200, 100],
      nativeVlan: 100,
      nativeVlanMode: 'TAGGED',
      mtu: 9000,
    });
    expect(networkInputFromFlags('q', { kind: 'sriov-physnet', physnet: 'p0', vlan: '100', 'vlan-protocol': 'dot1ad' })).toMatchObject({
      vlan: 100,
      vlanProtocol: 'DOT1AD',
    });
    expect(networkUpdateFromFlags('t', { mtu: 'default' })).toEqual({ network: 't', mtu: null });
  });

  it("refuses what is not syntax before asking the API; ranges are the API's (its error names the field)", () => {
    expect(() => networkInputFromFlags('t', { kind: 'ovs-bridge', trunk: '10;20' })).toThrow(UsageError);
    expect(() => networkInputFromFlags('t', { kind: 'ovs-bridge', 'vlan-protocol': 'qinq' })).toThrow(
      /--vlan-protocol: expected dot1q\|dot1ad/,
    );
    expect(() => networkInputFromFlags('t', {})).toThrow(/--kind is required/);
    expect(networkInputFromFlags('t', { kind: 'ovs-bridge', trunk: '0,5000' }).trunkVlans).toEqual([0, 5000]);
  });

  it('shows access, 802.1ad and trunk VLANs in one column', () => {
    const n = { vlan: null, vlanProtocol: 'DOT1Q' as const, trunkVlans: [], nativeVlan: null, nativeVlanMode: 'UNTAGGED' as const };
    expect(vlanText(n)).toBe('-');
    expect(vlanText({ ...n, vlan: 100, vlanProtocol: 'DOT1AD' })).toBe('100 (802.1ad)');
    expect(vlanText({ ...n, trunkVlans: [10, 20], nativeVlan: 10, nativeVlanMode: 'TAGGED' })).toBe('trunk 10,20 native 10 tagged');
  });

  it("prints the API's field error for a trunk VLAN out of range and exits 2", async () => {
    let stderr = '';
    const fetch = (async () =>
      new Response(
        JSON.stringify({
          errors: [{ message: 'VLAN id must be between 1 and 4094', extensions: { code: 'BAD_USER_INPUT', field: 'trunkVlans.0' } }],
        }),
        {
          status: 200,
          headers: { 'content-type': 'application/json' },
        },
      )) as typeof globalThis.fetch;
    const code = await runCli(['networks', 'create', 't', '--kind', 'ovs-bridge', '--bridge', 'br0', '--trunk', '0'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
      env: { HOME: '/nonexistent', NETPIN_API_URL: 'http://127.0.0.1:9', NETPIN_TOKEN: 'tok' },
      fetch,
    });
    expect(code).toBe(2);
    expect(stderr).toBe('error: trunkVlans.0: VLAN id must be between 1 and 4094 (BAD_USER_INPUT)\n');
  });
});
