import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { startFleet } from '@netpin/hostsim';

/**
 * Measures hostsim's costs: SSH handshake, per-command round trip, memory per host.
 * Run: node --expose-gc -r @swc-node/register apps/hostsim/src/bench.ts [hosts=50]
 */
interface Conn {
  run(cmd: string): Promise<number>;
  end(): void;
}

function connect(port: number, privateKey: string, noDelay: boolean): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.on('ready', () => {
      if (noDelay) c.setNoDelay(true);
      resolve({
        end: () => c.end(),
        run: (cmd) =>
          new Promise((res, rej) =>
            c.exec(cmd, (err, ch) => {
              if (err) return rej(err);
              let code = -1;
              ch.on('data', () => undefined);
              ch.stderr.on('data', () => undefined);
              ch.on('exit', (x: number) => (code = x));
              ch.on('close', () => res(code));
            }),
          ),
      });
    });
    c.connect({ host: '127.0.0.1', port, username: 'root', privateKey, hostVerifier: () => true });
  });
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs: number[]): string => `median ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms (n=${xs.length})`;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const hosts = Number(process.argv[2] ?? '50');
  const dir = mkdtempSync(join(tmpdir(), 'hostsim-bench-'));
  try {
    const one = await startFleet({ count: 1, profile: 'dual-socket-sriov', stateDir: dir });
    const port = one.hosts[0].port;
    const key = one.clientKey.privateKey;
    const hs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const c = await connect(port, key, true);
      hs.push(performance.now() - t);
      c.end();
    }
    console.log(`handshake (connect+kex+auth): ${fmt(hs)}`);
    for (const noDelay of [true, false]) {
      const c = await connect(port, key, noDelay);
      for (const [label, cmd] of [
        ['cat one sysfs file', "'cat' '/sys/class/net/ens1f0/device/sriov_numvfs'"],
        ['ip -d link show (63 VFs)', "'ip' '-d' 'link' 'show'"],
        ['cat /proc/interrupts (64 CPUs)', "'cat' '/proc/interrupts'"],
      ] as const) {
        if (label.startsWith('ip')) await c.run('echo 63 > /sys/class/net/ens1f0/device/sriov_numvfs');
        const xs: number[] = [];
        const n = noDelay ? 100 : 20;
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          await c.run(cmd);
          xs.push(performance.now() - t);
        }
        console.log(`round trip, client noDelay=${noDelay}, ${label}: ${fmt(xs)}`);
      }
      c.end();
    }
    await one.stop();

    gc();
    const before = process.memoryUsage();
    const fleet = await startFleet({ count: hosts, profile: 'dual-socket-sriov', stateDir: dir });
    gc();
    const after = process.memoryUsage();
    const per = (k: 'rss' | 'heapUsed'): string => `${((after[k] - before[k]) / hosts / 1024).toFixed(0)} KiB`;
    console.log(`memory per idle dual-socket-sriov host (${hosts} hosts): heapUsed ${per('heapUsed')}, rss ${per('rss')}`);
    const conns = await Promise.all(fleet.hosts.map((h) => connect(h.port, key, true)));
    await Promise.all(conns.map((c) => c.run("'cat' '/proc/cpuinfo'")));
    gc();
    const connected = process.memoryUsage();
    console.log(
      `memory per host with one open SSH connection: heapUsed ${((connected.heapUsed - before.heapUsed) / hosts / 1024).toFixed(0)} KiB, rss ${((connected.rss - before.rss) / hosts / 1024).toFixed(0)} KiB`,
    );
    conns.forEach((c) => c.end());
    await fleet.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
