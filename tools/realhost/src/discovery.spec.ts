import { assembleFacts, nextDiscoverySteps, shellQuote, type CommandOutput } from '@netpin/host-ops';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRealHost, type RealHost } from './realhost';
import { STANDARD_HOST } from './standard-host';
import { describeRealHost } from './tier';

/**
 * host-ops discovery against real tools: libvirtd's own dumpxml of a domain someone else
 * defined (vCPUs pinned to CPU 1, the emulator to CPU 0, a PCI hostdev), a domain carrying
 * netpin's mark, the kernel's Linux bridge br0 in `ip -d link show`, and no Open vSwitch.
 */
const foreignXml = (type: string) => `<domain type='${type}'>
  <name>not-netpins</name>
  <memory unit='MiB'>128</memory>
  <vcpu placement='static' cpuset='1'>2</vcpu>
  <cputune>
    <vcpupin vcpu='0' cpuset='1'/>
    <vcpupin vcpu='1' cpuset='1'/>
    <emulatorpin cpuset='0'/>
  </cputune>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x3b' slot='0x10' function='0x1'/></source>
    </hostdev>
  </devices>
</domain>`;

const ownedXml = (type: string) => `<domain type='${type}'>
  <name>netpins</name>
  <uuid>4a4b1c2d-0000-4000-8000-00000000abcd</uuid>
  <metadata><netpin:vm xmlns:netpin="https://netpin.dev/xmlns/domain/1" id="4a4b1c2d-0000-4000-8000-00000000abcd"/></metadata>
  <memory unit='MiB'>128</memory>
  <vcpu placement='static'>1</vcpu>
  <cputune><vcpupin vcpu='0' cpuset='0'/></cputune>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>`;

describeRealHost('discovery against real libvirt and a real kernel', () => {
  let host: RealHost;

  beforeAll(async () => {
    host = await startRealHost({ ...STANDARD_HOST, name: `disc-${process.pid % 1000}`, index: 238, stateDir: '/tmp/netpin-realhost' });
    const type = host.virtType;
    for (const xml of [foreignXml(type), ownedXml(type)]) {
      const r = await host.sh(`virsh define /dev/stdin <<'XML'\n${xml}\nXML`);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => host?.stop());

  it("reports the domain without netpin's mark with the CPUs and PCI device it holds, and the Linux bridge", async () => {
    const out: Record<string, CommandOutput> = {};
    for (let steps = nextDiscoverySteps(out); steps.length > 0; steps = nextDiscoverySteps(out)) {
      for (const s of steps) {
        const r = await host.sh(shellQuote(s.command.argv));
        out[s.key] = { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
      }
    }
    expect(
      out['domains'].stdout
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
    ).toEqual(['netpins', 'not-netpins']);
    const facts = assembleFacts(out);
    expect(facts.foreignDomains).toEqual([{ name: 'not-netpins', cpus: [0, 1], pciDevices: ['0000:3b:10.1'] }]);
    expect(facts.bridges).toEqual([{ name: 'br0', kind: 'LINUX', datapathType: null }]);
    // no Open vSwitch on the real tier: ovs-vsctl is absent or has no database to talk to
    expect(facts.capabilities.ovs).toBe(false);
  });
});
