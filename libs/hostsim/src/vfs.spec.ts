import { describe, expect, it } from 'vitest';
import { HostModel } from './model';
import { profileSpec } from './profiles';
import { makeContext, runCommandLine } from './shell';
import { fsOf, VirtualFs } from './vfs';

/** A command line on the model, as an exec request runs it. */
async function sh(m: HostModel, line: string): Promise<{ stdout: string; code: number }> {
  const r = await runCommandLine(
    line,
    makeContext(m, () => Promise.resolve('')),
  );
  return { stdout: r.stdout, code: r.code };
}

describe('the file system tree shared by commands (fsOf)', () => {
  it('is built once while the host keeps its shape, and reads show the current values', async () => {
    const m = new HostModel(profileSpec('dual-socket-sriov', 'hv-vfs'));
    const first = fsOf(m);
    expect(fsOf(m)).toBe(first);
    expect((await sh(m, 'echo 5 > /proc/irq/100/smp_affinity_list && cat /proc/irq/100/smp_affinity_list')).stdout).toBe('5\n');
    expect(fsOf(m)).toBe(first);
  });

  // every change of shape a client can make: the shared tree has exactly the paths of a tree built afresh
  it.each([
    ['sriov_numvfs up', 'true', 'echo 4 > /sys/class/net/ens1f0/device/sriov_numvfs'],
    ['sriov_numvfs down', 'echo 4 > /sys/class/net/ens1f0/device/sriov_numvfs', 'echo 0 > /sys/class/net/ens1f0/device/sriov_numvfs'],
    ['ethtool -L', 'true', 'ethtool -L ens1f0 combined 2'],
  ])('follows %s', async (_name, setup, line) => {
    const m = new HostModel(profileSpec('dual-socket-sriov', 'hv-vfs'));
    expect((await sh(m, setup)).code).toBe(0);
    const before = fsOf(m).paths();
    expect((await sh(m, line)).code).toBe(0);
    expect(fsOf(m).paths()).toEqual(new VirtualFs(m).paths());
    expect(fsOf(m).paths()).not.toEqual(before);
  });

  it('follows vdpa dev add/del and a reboot', async () => {
    const m = new HostModel(profileSpec('nfv-vdpa', 'hv-vdpa'));
    expect((await sh(m, 'echo 2 > /sys/class/net/ens5f0/device/sriov_numvfs')).code).toBe(0);
    const mgmt = m.vdpaMgmtdevs()[0];
    const empty = fsOf(m).paths();
    expect((await sh(m, `vdpa dev add name vdp1 mgmtdev ${mgmt}`)).code).toBe(0);
    expect(fsOf(m).paths()).toEqual(new VirtualFs(m).paths());
    expect(
      fsOf(m)
        .paths()
        .some((p) => p.includes('vdp1')),
    ).toBe(true);
    expect((await sh(m, 'vdpa dev del vdp1')).code).toBe(0);
    expect(fsOf(m).paths()).toEqual(empty);
    m.boot();
    expect(fsOf(m).paths()).toEqual(new VirtualFs(m).paths());
    expect(
      fsOf(m)
        .paths()
        .some((p) => p.includes('virtfn')),
    ).toBe(false);
  });
});

/** Path resolution as lookup did it before it walked in linear time: every prefix normalised again. */
function lookupByPrefixes(fs: VirtualFs, path: string, followLast: boolean): { path: string; node: unknown } | undefined {
  const p = VirtualFs.normalize(path);
  if (p === undefined) return undefined;
  const parts = p.split('/').filter((x) => x !== '');
  let cur = '';
  for (let i = 0; i < parts.length; i++) {
    cur = VirtualFs.normalize(`${cur}/${parts[i]}`) ?? '/';
    const n = fs.get(cur);
    if (!n) return undefined;
    if (i < parts.length - 1 && n.kind !== 'dir' && n.kind !== 'link') return undefined;
    if (n.kind === 'link' && (i < parts.length - 1 || followLast)) cur = n.canonical;
  }
  const node = fs.get(cur === '' ? '/' : cur);
  return node ? { path: cur === '' ? '/' : cur, node } : undefined;
}

describe('path resolution (lookup)', () => {
  it('resolves every path of a host, through links, as resolving each prefix afresh did', async () => {
    const m = new HostModel(profileSpec('dual-socket-sriov', 'hv-lookup'));
    expect((await sh(m, 'echo 4 > /sys/class/net/ens1f0/device/sriov_numvfs && mkdir -p /tmp/a/b')).code).toBe(0);
    const fs = fsOf(m);
    const paths = [...fs.paths(), '/', '//sys/./class//net/', '/tmp/a/b/..', '/sys/class/net/ens1f0/device/virtfn0/physfn/net', 'rel/x'];
    // through a link in the middle, '..' after it (lexical, as before), and a missing leaf
    for (const p of fs.paths().filter((x) => x.startsWith('/sys/class/net/'))) paths.push(`${p}/device/net`, `${p}/../lo`, `${p}/nope`);
    let links = 0;
    for (const p of paths) {
      for (const follow of [true, false]) {
        const got = fs.lookup(p, follow);
        expect(got, `${p} ${follow}`).toEqual(lookupByPrefixes(fs, p, follow));
        if (got && got.path !== VirtualFs.normalize(p)) links++;
      }
    }
    expect(links).toBeGreaterThan(10);
  });
});
