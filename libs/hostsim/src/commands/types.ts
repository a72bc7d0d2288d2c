import type { HostModel } from '../model';
import type { VirtualFs } from '../vfs';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface CommandContext {
  model: HostModel;
  fs: VirtualFs;
  /** Resolves with everything the client sends on the channel, at its EOF. */
  readStdin: () => Promise<string>;
}

export type CommandHandler = (args: string[], ctx: CommandContext) => CommandResult | Promise<CommandResult>;

export function ok(stdout = ''): CommandResult {
  return { stdout, stderr: '', code: 0 };
}

export function fail(code: number, stderr: string, stdout = ''): CommandResult {
  return { stdout, stderr: stderr.endsWith('\n') || stderr === '' ? stderr : `${stderr}\n`, code };
}
