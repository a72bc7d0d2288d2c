import { describe, expect, it } from 'vitest';
import live from '../__fixtures__/live-bridge-and-macvtap.libvirt-9.0.xml?raw';
import { liveBridgePorts } from './live';

describe('liveBridgePorts', () => {
  it('reads the taps of a running guest as real libvirt 9.0 reports them', () => {
    // an e1000 on Linux bridge br0 and a macvtap on ens3, started by real libvirtd (tools/realhost)
    expect(liveBridgePorts(live)).toEqual([{ dev: 'vnet0', bridge: 'br0' }]);
  });

  it('leaves out OVS ports and interfaces without a tap (an inactive definition)', () => {
    const ovs = live.replace("<source bridge='br0'/>", "<source bridge='ovsbr0'/><virtualport type='openvswitch'/>");
    expect(liveBridgePorts(ovs)).toEqual([]);
    expect(liveBridgePorts(live.replace(/<target dev='[^']*'\/>/g, ''))).toEqual([]);
  });
});
