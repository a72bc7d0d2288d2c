import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { StackConsole } from './console';
import type { StateLock } from './state-lock';

/**
 * The stack's Node children (API, agent, hostsim), run from source through SWC. Their output
 * goes through the stack console; an unexpected exit of any of them stops the whole stack.
 */
export class Children {
  private readonly procs: { name: string; proc: ChildProcess }[] = [];
  stopping = false;

  constructor(
    private readonly root: string,
    private readonly out: StackConsole,
    private readonly lock: StateLock,
    private readonly onExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void,
  ) {}

  /** `stdout: 'keep'` leaves stdout to the caller (hostsim's fleet report); stderr always goes to the console. */
  node(name: string, script: string, env: NodeJS.ProcessEnv, args: string[] = [], stdout: 'console' | 'keep' = 'console'): ChildProcess {
    const proc = spawn(process.execPath, ['-r', '@swc-node/register', resolve(this.root, script), ...args], {
      cwd: this.root,
      env: { ...process.env, SWC_NODE_PROJECT: resolve(this.root, 'tsconfig.json'), LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.procs.push({ name, proc });
    this.lock.addChild(proc.pid);
    if (stdout === 'console' && proc.stdout) this.out.attach(name, proc.stdout, 'info');
    // plain stderr lines are progress notes ("metrics at ...", "stopping"); failures end in an exit the stack reports
    if (proc.stderr) this.out.attach(name, proc.stderr, 'info');
    proc.once('exit', (code, signal) => {
      if (!this.stopping) this.onExit(name, code, signal);
    });
    return proc;
  }

  /** SIGTERM everyone (a second signal is harmless to them), SIGKILL after 10 s. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.procs.map(
        ({ proc }) =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done();
            const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
            proc.once('exit', () => {
              clearTimeout(t);
              done();
            });
            proc.kill('SIGTERM');
          }),
      ),
    );
  }
}
