import { describe, expect, it } from 'vitest';
import ipLink from '../__fixtures__/ip-link-2s.txt?raw';
import ipLinkOld from '../__fixtures__/ip-link-old-vf.txt?raw';
import { HostOutputParseError } from '../errors';
import { parseIpLinkShow } from './ip-link';

describe('parseIpLinkShow (iproute2 6.1)', () => {
  const links = parseIpLinkShow(ipLink);
  const byName = new Map(links.map((l) => [l.name, l]));

  it('lists every link with its kind', () => {
    expect(links.map((l) => [l.name, l.kind])).toEqual([
      ['lo', null],
      ['eno1', null],
      ['ens1f0', null],
      ['ens1f1', null],
      ['ens2f0np0', null],
      ['ens2f0v0', null],
      ['br0', 'bridge'],
      ['ovs-system', 'openvswitch'],
      ['vnet0', 'tun'],
      ['macvtap0', 'macvtap'],
    ]);
    expect(byName.get('macvtap0')?.parent).toBe('ens1f1');
    expect(byName.get('eno1')).toMatchObject({
      master: 'br0',
      slaveKind: 'bridge_slave',
      numRxQueues: 4,
      numTxQueues: 5,
      parentDev: '0000:19:00.0',
    });
  });

  it('reads header and details of a PF', () => {
    expect(byName.get('ens1f1')).toMatchObject({
      index: 5,
      mtu: 9000,
      state: 'DOWN',
      mac: '3c:fd:fe:9e:7a:41',
      flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
      altNames: ['enp59s0f1'],
      vfs: [],
    });
  });

  it('reads VF lines with all attributes', () => {
    const vfs = byName.get('ens1f0')?.vfs ?? [];
    expect(vfs).toHaveLength(4);
    expect(vfs[0]).toEqual({
      index: 0,
      mac: '52:54:00:6b:1a:10',
      vlan: 100,
      qos: 0,
      vlanProtocol: 'DOT1Q',
      spoofChk: true,
      trust: false,
      linkState: 'auto',
      maxTxRateMbps: 0,
      minTxRateMbps: 0,
    });
    expect(vfs[1]).toEqual({
      index: 1,
      mac: '52:54:00:6b:1a:11',
      vlan: 200,
      qos: 3,
      vlanProtocol: 'DOT1Q',
      spoofChk: false,
      trust: true,
      linkState: 'enable',
      maxTxRateMbps: 1000,
      minTxRateMbps: 100,
    });
    expect(vfs[3].linkState).toBe('disable');
    expect(byName.get('ens2f0np0')?.vfs.map((v) => v.spoofChk)).toEqual([false, false]);
  });

  it('has no maxMtu where ip printed none (without -d), and reads the real tier veth one', () => {
    expect(
      parseIpLinkShow('7: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n')[0]
        .maxMtu,
    ).toBeNull();
    const veth =
      '4: ens3@ens3p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n' +
      '    link/ether 26:ca:70:5e:2f:83 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n' +
      '    veth addrgenmode eui64 numtxqueues 4 numrxqueues 4 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n';
    expect(parseIpLinkShow(veth)[0]).toMatchObject({ mtu: 1500, maxMtu: 65535, kind: 'veth' });
  });

  it('reads the exact iproute2 6.x VF line hostsim prints', () => {
    const text =
      '4: ens1f0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\n' +
      '    link/ether 3c:fd:fe:9e:7a:40 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 9702 addrgenmode eui64 numtxqueues 40 numrxqueues 40 gso_max_size 65536 gso_max_segs 65535 parentbus pci parentdev 0000:3b:00.0 \n' +
      '    vf 2     link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff, vlan 100, max_tx_rate 1000Mbps, spoof checking on, link-state auto, trust off\n' +
      '    vf 10     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, vlan 4094, qos 7, vlan protocol 802.1ad, spoof checking off, link-state auto, trust on, query_rss off\n';
    const [l] = parseIpLinkShow(text);
    expect([l.mtu, l.maxMtu]).toEqual([1500, 9702]);
    expect(l.vfs).toEqual([
      {
        index: 2,
        mac: '52:54:00:12:34:56',
        vlan: 100,
        qos: 0,
        vlanProtocol: 'DOT1Q',
        spoofChk: true,
        trust: false,
        linkState: 'auto',
        maxTxRateMbps: 1000,
        minTxRateMbps: 0,
      },
      {
        index: 10,
        mac: '00:00:00:00:00:00',
        vlan: 4094,
        qos: 7,
        vlanProtocol: 'DOT1AD',
        spoofChk: false,
        trust: true,
        linkState: 'auto',
        maxTxRateMbps: 0,
        minTxRateMbps: 0,
      },
    ]);
  });

  it('reads the older "vf N MAC" format', () => {
    const [eth2] = parseIpLinkShow(ipLinkOld);
    expect(eth2.vfs).toEqual([
      {
        index: 0,
        mac: '00:00:00:00:00:00',
        vlan: 0,
        qos: 0,
        vlanProtocol: 'DOT1Q',
        spoofChk: true,
        trust: false,
        linkState: 'auto',
        maxTxRateMbps: 0,
        minTxRateMbps: 0,
      },
      {
        index: 1,
        mac: '52:54:00:aa:bb:cc',
        vlan: 42,
        qos: 0,
        vlanProtocol: 'DOT1Q',
        spoofChk: true,
        trust: null,
        linkState: 'auto',
        maxTxRateMbps: 500,
        minTxRateMbps: 0,
      },
    ]);
    expect(eth2.parentDev).toBeNull();
  });

  it('throws on malformed input, naming the line', () => {
    expect(() => parseIpLinkShow('    link/ether 00:11:22:33:44:55\n')).toThrow(HostOutputParseError);
    expect(() => parseIpLinkShow('4 ens1f0 mtu 1500\n')).toThrow(/malformed link header/);
    const badVf = ipLinkOld.replace('vf 1 MAC 52:54:00:aa:bb:cc', 'vf 1 MAC 52:54:00:aa:bb');
    try {
      parseIpLinkShow(badVf);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HostOutputParseError);
      expect((e as HostOutputParseError).lineNumber).toBe(4);
    }
  });
});
