import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { domainNameSchema, ifNameSchema } from '@netpin/contracts';
import {
  ethtoolShowChannels,
  hostPaths,
  ipLinkShow,
  lscpu,
  readFiles,
  shellQuote,
  virshDomstate,
  virshListAll,
  virshListAllNames,
  type HostCommand,
} from '@netpin/host-ops';
import type { RealHost } from './realhost';

/**
 * Real answers kept beside the parsers (libs/host-ops/src/__fixtures__/real/), recorded by
 * `npm run realhost -- fixtures` from a real host (real libvirtd with a running KVM or TCG
 * guest, real iproute2, ethtool and kernel devices in its namespace) and from this
 * machine's own kernel (/proc/interrupts, an IRQ's smp_affinity_list, node meminfo, lscpu,
 * which the real host's namespace overlays or shares). libs/host-ops/src/real-fixtures.spec.ts
 * parses each one. Re-record after a libvirt, iproute2, ethtool or kernel upgrade and review
 * the diff; the management link's MAC in ip-d-link-show.txt changes at every recording.
 */
export const REAL_FIXTURE_DIR = resolve(__dirname, '../../../libs/host-ops/src/__fixtures__/real');

const dom = (s: string) => domainNameSchema.parse(s);
const ens3 = ifNameSchema.parse('ens3');

/** The guest running while the answers are recorded: a tap on br0 and a macvtap on ens3. */
export function fixtureGuest(name: string, type: 'kvm' | 'qemu', running: boolean): string {
  return `<domain type="${type}"><name>${name}</name><memory unit="MiB">256</memory><vcpu>2</vcpu>
<os><type arch="x86_64" machine="q35">hvm</type></os>
<devices>${
    running
      ? `<interface type="bridge"><mac address="52:54:00:6b:3a:01"/><source bridge="br0"/><model type="virtio"/></interface>
<interface type="direct"><mac address="52:54:00:6b:3a:02"/><source dev="ens3" mode="bridge"/><model type="virtio"/></interface>`
      : ''
  }</devices></domain>`;
}

async function onHost(host: RealHost, cmd: HostCommand): Promise<string> {
  const r = await host.sh(shellQuote(cmd.argv));
  if (!(cmd.okExitCodes ?? [0]).includes(r.code)) throw new Error(`${cmd.argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function local(cmd: HostCommand): string {
  return execFileSync(cmd.argv[0], cmd.argv.slice(1), { encoding: 'utf8' });
}

/** Runs netpin's commands on the host (and this machine) and returns file name -> answer. */
async function answers(host: RealHost): Promise<Record<string, string>> {
  const out: Record<string, string> = {
    'ip-d-link-show.txt': await onHost(host, ipLinkShow()),
    'ethtool-l-veth.txt': await onHost(host, ethtoolShowChannels(ens3)),
    'ethtool-i-veth.txt': await onHost(host, { argv: ['ethtool', '-i', 'ens3'] }),
    'virsh-list-all.txt': await onHost(host, virshListAll()),
    'virsh-list-all-names.txt': await onHost(host, virshListAllNames()),
    'virsh-domstate-running.txt': await onHost(host, virshDomstate(dom('fx-run'))),
    'virsh-domstate-shut-off.txt': await onHost(host, virshDomstate(dom('fx-off'))),
    'virsh-vcpupin-running.txt': await onHost(host, { argv: ['virsh', 'vcpupin', 'fx-run'] }),
    'virsh-emulatorpin-running.txt': await onHost(host, { argv: ['virsh', 'emulatorpin', 'fx-run'] }),
    'rps-cpus-grep.txt': await onHost(host, readFiles([0, 1, 2, 3].map((q) => hostPaths.rpsCpus(ens3, q)))),
    'lscpu-p.txt': local(lscpu()),
    'proc-interrupts.txt': local({ argv: ['cat', hostPaths.procInterrupts] }),
    'node0-meminfo.txt': local({ argv: ['cat', hostPaths.nodeMeminfo(0)] }),
  };
  const irq = /^\s*(\d+):/m.exec(out['proc-interrupts.txt'])?.[1];
  if (irq !== undefined) out['smp-affinity-list-grep.txt'] = local(readFiles([hostPaths.irqAffinityList(Number(irq))]));
  // The machine's own NIC, when it has combined channels (virtio-net does): a real "Combined" answer.
  if (existsSync('/sys/class/net/eth0')) out['ethtool-l-eth0.txt'] = local({ argv: ['ethtool', '-l', 'eth0'] });
  return out;
}

/** Defines fx-off, starts fx-run (with rx-1's RPS on the last CPU), records, cleans up. Returns the files written. */
export async function recordFixtures(host: RealHost, dir = REAL_FIXTURE_DIR): Promise<string[]> {
  const define = (xml: string) => `echo ${Buffer.from(xml).toString('base64')} | base64 -d > /tmp/np-fx.xml && virsh define /tmp/np-fx.xml`;
  const setup = await host.sh(
    `set -e; ${define(fixtureGuest('fx-off', host.virtType, false))}; ${define(fixtureGuest('fx-run', host.virtType, true))}; ` +
      `virsh start fx-run; echo $(( 1 << ($(nproc) - 1) )) > ${hostPaths.rpsCpus(ens3, 1)}`,
  );
  if (setup.code !== 0) throw new Error(`fixture guests did not come up: ${setup.stderr}`);
  try {
    const got = await answers(host);
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const [file, text] of Object.entries(got)) {
      const path = resolve(dir, file);
      if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
      writeFileSync(path, text);
      written.push(file);
    }
    return written;
  } finally {
    await host.sh('virsh destroy fx-run; virsh undefine fx-run; virsh undefine fx-off; rm -f /tmp/np-fx.xml');
  }
}
