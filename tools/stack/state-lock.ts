import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive, waitFor } from './services';

/**
 * One stack per state folder. `<state>/stack.json` names the launcher and its children; a
 * second launcher on the same folder is refused while the first lives, and the children of
 * a launcher that died by SIGKILL (they outlive it, holding their ports) are stopped.
 */
export class StateInUseError extends Error {}

interface LockRecord {
  pid: number;
  children: number[];
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export class StateLock {
  private readonly file: string;
  private readonly children: number[] = [];

  private constructor(
    stateDir: string,
    private readonly root: string,
  ) {
    this.file = join(stateDir, 'stack.json');
  }

  /** Claim the folder; returns how many leftover children were stopped. */
  static async claim(stateDir: string, root: string): Promise<{ lock: StateLock; leftovers: number }> {
    const lock = new StateLock(stateDir, root);
    mkdirSync(stateDir, { recursive: true });
    const before = lock.read();
    let leftovers = 0;
    if (before) {
      if (before.pid !== process.pid && pidAlive(before.pid) && commandLine(before.pid).includes('tools/stack/main')) {
        throw new StateInUseError(
          `another netpin stack (pid ${before.pid}) runs on ${stateDir}: stop it first, or give this one its own NETPIN_STATE_DIR and ports`,
        );
      }
      // only processes started from this checkout: a recycled pid belongs to someone else
      const alive = before.children.filter((pid) => pidAlive(pid) && commandLine(pid).includes(root));
      for (const pid of alive) process.kill(pid, 'SIGTERM');
      for (const pid of alive) {
        await waitFor(() => !pidAlive(pid), 10_000, `leftover process ${pid} to stop`).catch(() => process.kill(pid, 'SIGKILL'));
      }
      leftovers = alive.length;
    }
    lock.write();
    return { lock, leftovers };
  }

  addChild(pid: number | undefined): void {
    if (pid === undefined) return;
    this.children.push(pid);
    this.write();
  }

  release(): void {
    if (this.read()?.pid === process.pid) rmSync(this.file, { force: true });
  }

  private read(): LockRecord | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<LockRecord>;
      return typeof v.pid === 'number' && Array.isArray(v.children)
        ? { pid: v.pid, children: v.children.filter(Number.isInteger) }
        : undefined;
    } catch {
      return undefined;
    }
  }

  private write(): void {
    writeFileSync(this.file, JSON.stringify({ pid: process.pid, root: this.root, children: this.children }) + '\n');
  }
}
