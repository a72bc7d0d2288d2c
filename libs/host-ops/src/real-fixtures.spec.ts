import { describe, expect, it } from 'vitest';
import ethtoolEth0 from './__fixtures__/real/ethtool-l-eth0.txt?raw';
import ethtoolVeth from './__fixtures__/real/ethtool-l-veth.txt?raw';
import ipLink from './__fixtures__/real/ip-d-link-show.txt?raw';
import lscpuText from './__fixtures__/real/lscpu-p.txt?raw';
import nodeMeminfo from './__fixtures__/real/node0-meminfo.txt?raw';
import interrupts from './__fixtures__/real/proc-interrupts.txt?raw';
import rpsGrep from './__fixtures__/real/rps-cpus-grep.txt?raw';
import affinityGrep from './__fixtures__/real/smp-affinity-list-grep.txt?raw';
import domstateRunning from './__fixtures__/real/virsh-domstate-running.txt?raw';
import domstateOff from './__fixtures__/real/virsh-domstate-shut-off.txt?raw';
import listAll from './__fixtures__/real/virsh-list-all.txt?raw';
import listNames from './__fixtures__/real/virsh-list-all-names.txt?raw';
import { parseCpuList } from '@netpin/contracts';
import { parseLscpu, parseNodeMeminfo } from './parsers/cpu';
import { parseEthtoolChannels } from './parsers/ethtool';
import { parseCpuMaskFile, parseGrepFiles } from './parsers/files';
import { parseProcInterrupts } from './parsers/interrupts';
import { parseIpLinkShow } from './parsers/ip-link';
import { parseVirshDomstate, parseVirshList, parseVirshListNames } from './parsers/virsh';

/**
 * The parsers on answers of the real tools (libvirt 9.0, iproute2 6.1, ethtool 6.1, a 6.x
 * kernel), recorded by `npm run realhost -- fixtures` (tools/realhost/src/fixtures.ts): a real
 * host with a running guest (tap vnet0 on br0, macvtap0 on ens3), fx-off defined, RPS of
 * ens3 rx-1 on the last CPU; /proc/interrupts, lscpu and node meminfo of the recording machine.
 */
describe('host-ops parsers on real answers', () => {
  it('ip -d link show: veth NICs, the bridge and its ports, a tap and a macvtap', () => {
    const links = new Map(parseIpLinkShow(ipLink).map((l) => [l.name, l]));
    expect(links.get('ens4')).toMatchObject({
      kind: 'veth',
      master: 'br0',
      slaveKind: 'bridge_slave',
      numRxQueues: 4,
      mac: '02:00:5e:10:00:02',
    });
    expect(links.get('br0')).toMatchObject({ kind: 'bridge', master: null, mac: '02:00:5e:10:00:02', numTxQueues: 1 });
    expect(links.get('vnet0')).toMatchObject({ kind: 'tun', master: 'br0', slaveKind: 'bridge_slave', mac: 'fe:54:00:6b:3a:01' });
    expect(links.get('macvtap0')).toMatchObject({ kind: 'macvtap', parent: 'ens3', master: null, mac: '52:54:00:6b:3a:02' });
    expect(links.get('mgmt0')).toMatchObject({ parent: expect.stringMatching(/^if\d+$/), kind: 'veth' });
  });

  it('ethtool -l: a veth (rx/tx channels) and a virtio-net NIC (combined)', () => {
    expect(parseEthtoolChannels(ethtoolVeth)).toEqual({ maxCombined: 0, combined: 0, maxRx: 4, rx: 4, maxTx: 4, tx: 4 });
    expect(parseEthtoolChannels(ethtoolEth0)).toMatchObject({ maxRx: 0, rx: 0, maxTx: 0, tx: 0 });
    expect(parseEthtoolChannels(ethtoolEth0).combined).toBeGreaterThan(0);
  });

  it('virsh list, list --name and domstate', () => {
    expect(parseVirshList(listAll)).toEqual([
      { id: 1, name: 'fx-run', state: 'running' },
      { id: null, name: 'fx-off', state: 'shut off' },
    ]);
    expect(parseVirshListNames(listNames)).toEqual(['fx-run', 'fx-off']);
    expect(parseVirshDomstate(domstateRunning)).toBe('running');
    expect(parseVirshDomstate(domstateOff)).toBe('shut off');
  });

  it('lscpu -p, node meminfo and /proc/interrupts of a real machine', () => {
    const cpus = parseLscpu(lscpuText);
    expect(cpus.length).toBeGreaterThan(0);
    expect(parseNodeMeminfo(nodeMeminfo).memTotalKiB).toBeGreaterThan(0);
    const irqs = parseProcInterrupts(interrupts);
    expect(irqs.cpus).toEqual(cpus.map((c) => c.cpu));
    expect(irqs.irqs.length).toBeGreaterThan(0);
  });

  it('rps_cpus and smp_affinity_list read through grep -H', () => {
    const paths = [0, 1, 2, 3].map((q) => `/sys/class/net/ens3/queues/rx-${q}/rps_cpus`);
    const rps = [...parseGrepFiles(rpsGrep, paths).values()].map((v) => parseCpuMaskFile('rps_cpus', v));
    const last = parseLscpu(lscpuText).length - 1;
    expect(rps).toEqual([[], [last], [], []]);
    const [path, list] = [...parseGrepFiles(affinityGrep, [affinityGrep.slice(0, affinityGrep.indexOf(':'))])][0];
    expect(path).toMatch(/^\/proc\/irq\/\d+\/smp_affinity_list$/);
    expect(parseCpuList(list).length).toBeGreaterThan(0);
  });
});
