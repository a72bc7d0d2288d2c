import { domainNameSchema } from '@netpin/contracts';
import {
  parseIpLinkShow,
  parseVirshDomstate,
  parseVirshList,
  parseVirshListNames,
  virshDefine,
  virshDestroy,
  virshDomstate,
  virshDumpxml,
  virshEmulatorpin,
  virshListAll,
  virshListAllNames,
  virshStart,
  virshUndefine,
  virshVcpupin,
  ipLinkShow,
  type CommandOutput,
} from '@netpin/host-ops';
import { answerView, liveBridgePorts, parseDomain, verifyDomainXml, viewDifferences } from '@netpin/libvirt-xml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { domainNameOf, goldenFor, goldenNames } from '../goldens';
import { describeRealHost } from '../tier';
import { pairIndex, startPair, type HostPair } from './pair';

/**
 * hostsim's virsh against real virsh + libvirtd (QEMU driver, KVM guests where /dev/kvm
 * exists): the same commands netpin's builders make, run on both, compared through the
 * host-ops parsers and libvirt-xml on every field netpin reads. A difference is a hostsim
 * (or parser) bug: fix hostsim, never this test.
 */
const dom = (s: string) => domainNameSchema.parse(s);

/** The first line of an error (virsh prints "error: Failed to X" then "error: <reason>"). */
const reason = (o: CommandOutput): string =>
  (o.stderr ?? '')
    .split('\n')
    .filter((l) => l.startsWith('error: '))
    .pop() ?? '';

/** A small guest that starts under KVM or TCG: 256 MiB, 2 vCPUs, one virtio NIC on `bridge`. */
function smallGuest(name: string, type: 'kvm' | 'qemu', bridge = 'br0'): string {
  return `<domain type="${type}"><name>${name}</name><memory unit="MiB">256</memory><vcpu>2</vcpu>
<os><type arch="x86_64" machine="q35">hvm</type></os>
<devices><interface type="bridge"><mac address="52:54:00:6b:2a:01"/><source bridge="${bridge}"/><model type="virtio"/></interface></devices></domain>`;
}

/** smallGuest with a macvtap (bridge mode) on ens3 instead, `extra` inside its <interface>. */
function directGuest(name: string, type: 'kvm' | 'qemu', extra = ''): string {
  return smallGuest(name, type).replace(
    /<interface type="bridge">.*<\/interface>/,
    `<interface type="direct"><mac address="52:54:00:6b:2a:02"/><source dev="ens3" mode="bridge"/><model type="virtio"/>${extra}</interface>`,
  );
}

describeRealHost('differential: virsh (hostsim vs real libvirtd)', () => {
  let p: HostPair;
  beforeAll(async () => {
    p = await startPair(`dv-${process.pid % 1000}`, pairIndex(200));
  });
  afterAll(async () => p?.close());

  for (const name of goldenNames()) {
    it(`${name}: define, dumpxml --inactive and undefine answer the same`, async () => {
      const xml = goldenFor(name, p.real.virtType);
      const n = dom(domainNameOf(xml));
      const def = await p.runOk(virshDefine(xml));
      expect(def.sim.stdout).toBe(def.real.stdout);
      const { real, sim } = await p.runOk(virshDumpxml(n, { inactive: true }));
      expect(viewDifferences(answerView(xml, sim.stdout), answerView(xml, real.stdout))).toEqual([]);
      expect(verifyDomainXml(xml, sim.stdout)).toEqual(verifyDomainXml(xml, real.stdout));
      expect({ ...parseDomain(sim.stdout), uuid: '' }).toEqual({ ...parseDomain(real.stdout), uuid: '' });
      const undef = await p.runOk(virshUndefine(n));
      expect(undef.sim.stdout).toBe(undef.real.stdout);
    });
  }

  it('list, domstate, start, destroy and undefine: same answers, same states, same errors', async () => {
    const type = p.real.virtType;
    await p.runOk(virshDefine(smallGuest('dv-a', type)));
    await p.runOk(virshDefine(smallGuest('dv-b', type, 'br9')));
    const same = async (cmd: Parameters<HostPair['run']>[0]): Promise<{ real: CommandOutput; sim: CommandOutput }> => {
      const o = await p.run(cmd);
      expect({ code: o.sim.exitCode, stdout: o.sim.stdout, error: reason(o.sim) }).toEqual({
        code: o.real.exitCode,
        stdout: o.real.stdout,
        error: reason(o.real),
      });
      return o;
    };
    const list = await same(virshListAll());
    expect(parseVirshList(list.sim.stdout)).toEqual(parseVirshList(list.real.stdout));
    const names = await same(virshListAllNames());
    expect(parseVirshListNames(names.sim.stdout)).toEqual(['dv-a', 'dv-b']);
    expect(parseVirshDomstate((await same(virshDomstate(dom('dv-a')))).sim.stdout)).toBe('shut off');
    await same(virshDomstate(dom('dv-none')));
    await same(virshStart(dom('dv-b'))); // its bridge does not exist
    await same(virshStart(dom('dv-a')));
    await same(virshStart(dom('dv-a'))); // already running
    expect(parseVirshDomstate((await same(virshDomstate(dom('dv-a')))).sim.stdout)).toBe('running');
    const running = await same(virshListAll());
    expect(parseVirshList(running.sim.stdout)).toEqual(parseVirshList(running.real.stdout));
    await same(virshDestroy(dom('dv-a')));
    await same(virshDestroy(dom('dv-a'))); // not running
    await same(virshUndefine(dom('dv-a')));
    await same(virshUndefine(dom('dv-b')));
    await same(virshUndefine(dom('dv-a'))); // gone
    expect((await same(virshListAllNames())).sim.stdout).toBe('\n');
  });

  it('a started guest on br0 has the same tap on both: kind, bridge port, MTU and MAC as ip -d link shows them', async () => {
    await p.runOk(virshDefine(smallGuest('dv-tap', p.real.virtType)));
    await p.runOk(virshStart(dom('dv-tap')));
    try {
      const { real, sim } = await p.runOk(ipLinkShow());
      const tapOf = (text: string) => {
        const t = parseIpLinkShow(text).find((l) => l.master === 'br0' && l.name.startsWith('vnet'));
        if (t === undefined) throw new Error(`no vnet tap on br0 in:\n${text}`);
        const { index: _index, name: _name, ...rest } = t;
        return { ...rest, vnet: /^vnet\d+$/.test(t.name) };
      };
      expect(tapOf(sim.stdout)).toEqual(tapOf(real.stdout));
      // The live XML names that same tap as the bridge's port (the agent's bridge-ports step reads it).
      const live = await p.runOk(virshDumpxml(dom('dv-tap')));
      for (const side of ['real', 'sim'] as const) {
        const tap = parseIpLinkShow((side === 'real' ? real : sim).stdout).find((l) => l.master === 'br0' && l.name.startsWith('vnet'));
        expect(liveBridgePorts(live[side].stdout)).toEqual([{ dev: tap?.name, bridge: 'br0' }]);
      }
    } finally {
      await p.run(virshDestroy(dom('dv-tap')));
      await p.run(virshUndefine(dom('dv-tap')));
    }
  });

  it('MTUs: ip link set mtu on a NIC and a macvtap, a tap from <mtu>, a macvtap from its NIC: same answers, same MTUs', async () => {
    const mtus = async () => {
      const { real, sim } = await p.runOk(ipLinkShow());
      const of = (text: string) =>
        parseIpLinkShow(text)
          .filter((l) => l.name === 'ens3' || l.name.startsWith('vnet') || l.kind === 'macvtap')
          .map((l) => ({ what: l.name === 'ens3' ? 'ens3' : l.kind === 'macvtap' ? 'macvtap' : 'tap', mtu: l.mtu, maxMtu: l.maxMtu }))
          .sort((a, b) => a.what.localeCompare(b.what));
      expect(of(sim.stdout)).toEqual(of(real.stdout));
      return of(real.stdout);
    };
    const same = async (argv: string[]) => {
      const o = await p.run({ argv });
      expect({ argv, code: o.sim.exitCode, stderr: o.sim.stderr }).toEqual({ argv, code: o.real.exitCode, stderr: o.real.stderr });
    };
    await same(['ip', 'link', 'set', 'dev', 'ens3', 'mtu', '70000']);
    await same(['ip', 'link', 'set', 'dev', 'ens3', 'mtu', '60']);
    await same(['ip', 'link', 'set', 'dev', 'ens3', 'mtu', '9000']);
    const tapGuest = smallGuest('dv-mtu', p.real.virtType).replace('<model type="virtio"/>', '<model type="virtio"/><mtu size="9000"/>');
    const mvtGuest = directGuest('dv-mvt', p.real.virtType).replace('52:54:00:6b:2a:02', '52:54:00:6b:2a:03');
    try {
      for (const [n, xml] of [
        ['dv-mtu', tapGuest],
        ['dv-mvt', mvtGuest],
      ] as const) {
        await p.runOk(virshDefine(xml));
        await p.runOk(virshStart(dom(n)));
      }
      expect((await mtus()).map((l) => [l.what, l.mtu])).toEqual([
        ['ens3', 9000],
        ['macvtap', 9000], // a macvtap takes its NIC's MTU
        ['tap', 9000], // libvirt's <mtu size>
      ]);
      const macvtap = parseIpLinkShow((await p.runOk(ipLinkShow())).real.stdout).find((l) => l.kind === 'macvtap')?.name ?? '';
      await same(['ip', 'link', 'set', 'dev', macvtap, 'mtu', '9001']); // above its lower device: EINVAL
      await same(['ip', 'link', 'set', 'dev', 'ens3', 'mtu', '1500']); // drags the macvtap down
      expect((await mtus()).map((l) => [l.what, l.mtu])).toEqual([
        ['ens3', 1500],
        ['macvtap', 1500],
        ['tap', 9000],
      ]);
    } finally {
      for (const n of ['dv-mtu', 'dv-mvt']) {
        await p.run(virshDestroy(dom(n)));
        await p.run(virshUndefine(dom(n)));
      }
      await p.run({ argv: ['ip', 'link', 'set', 'dev', 'ens3', 'mtu', '1500'] });
    }
  });

  it('vcpupin and emulatorpin: same answers, same errors, same definition afterwards', async () => {
    const xml = smallGuest('dv-pin', p.real.virtType);
    await p.runOk(virshDefine(xml));
    const same = async (cmd: Parameters<HostPair['run']>[0]): Promise<void> => {
      const o = await p.run(cmd);
      expect({ code: o.sim.exitCode, stdout: o.sim.stdout, error: reason(o.sim) }).toEqual({
        code: o.real.exitCode,
        stdout: o.real.stdout,
        error: reason(o.real),
      });
    };
    await same({ argv: ['virsh', 'vcpupin', 'dv-pin'] });
    await same({ argv: ['virsh', 'emulatorpin', 'dv-pin'] });
    await same(virshVcpupin(dom('dv-pin'), 1, [1], { config: true }));
    await same(virshVcpupin(dom('dv-pin'), 0, [0, 1], { config: true }));
    await same(virshEmulatorpin(dom('dv-pin'), [0], { config: true }));
    await same(virshVcpupin(dom('dv-pin'), 5, [0], { config: true })); // no such vCPU
    await same(virshVcpupin(dom('dv-pin'), 0, [0], { live: true })); // not running
    await same({ argv: ['virsh', 'vcpupin', 'dv-pin', '0', '64', '--config'] }); // no such CPU
    await same({ argv: ['virsh', 'vcpupin', 'dv-pin'] });
    await same({ argv: ['virsh', 'emulatorpin', 'dv-pin'] });
    const { real, sim } = await p.runOk(virshDumpxml(dom('dv-pin'), { inactive: true }));
    expect(viewDifferences(answerView(xml, sim.stdout), answerView(xml, real.stdout))).toEqual([]);
    expect(parseDomain(sim.stdout).cputune).toEqual(parseDomain(real.stdout).cputune);
    await p.run(virshUndefine(dom('dv-pin')));
  });
  it('a definition libvirt refuses, or a guest it cannot start: the same exit codes and reasons', async () => {
    const type = p.real.virtType;
    const bad: [string, string][] = [
      ['no name', `<domain type="${type}"><memory>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`],
      ['pin beyond vCPUs', smallGuest('dv-bad1', type).replace('</os>', '</os><cputune><vcpupin vcpu="3" cpuset="0"/></cputune>')],
      ['bad memory unit', smallGuest('dv-bad2', type).replace('unit="MiB"', 'unit="parsec"')],
      ['not a domain', '<network><name>x</name></network>'],
      [
        'bandwidth floor on a bridge',
        smallGuest('dv-bad3', type).replace('<model', '<bandwidth><inbound average="1000" floor="100"/></bandwidth><model'),
      ],
      ['MTU on macvtap', directGuest('dv-bad4', type, '<mtu size="9000"/>')],
      [
        'MTU on a hostdev',
        smallGuest('dv-bad5', type).replace(
          '</devices>',
          '<interface type="hostdev" managed="yes"><source><address type="pci" domain="0" bus="0x3b" slot="2" function="0"/></source><mtu size="9000"/></interface></devices>',
        ),
      ],
    ];
    for (const [what, xml] of bad) {
      const o = await p.run(virshDefine(xml));
      expect({ what, code: o.sim.exitCode, error: reason(o.sim) }).toEqual({ what, code: o.real.exitCode, error: reason(o.real) });
    }
    const unknownModel = smallGuest('dv-cpu', type).replace(
      '</os>',
      '</os><cpu mode="custom" match="exact"><model fallback="forbid">NoSuchCpu</model></cpu>',
    );
    const def = await p.run(virshDefine(unknownModel));
    expect({ code: def.sim.exitCode, error: reason(def.sim) }).toEqual({ code: def.real.exitCode, error: reason(def.real) });
    if (def.real.exitCode === 0) {
      const start = await p.run(virshStart(dom('dv-cpu')));
      expect({ code: start.sim.exitCode, error: reason(start.sim) }).toEqual({ code: start.real.exitCode, error: reason(start.real) });
      await p.run(virshDestroy(dom('dv-cpu')));
      await p.run(virshUndefine(dom('dv-cpu')));
    }
  });
});
