import { HostCommandArgumentError } from './errors';

/**
 * A command to run on a host, as an argv vector (never a shell string). The transport runs
 * it with execFile locally, or joins it with `shellQuote` for an SSH exec request; in both
 * cases no argument is ever interpreted by a shell.
 */
export interface HostCommand {
  readonly argv: readonly string[];
  /** Bytes to write to the command's stdin, then close it. */
  readonly stdin?: string;
  /**
   * Exit codes that still mean "output is usable". Default [0]. Multi-file reads use
   * [0, 1, 2] because grep/readlink/ls exit non-zero when one of many paths is absent,
   * and absence is information, not failure.
   */
  readonly okExitCodes?: readonly number[];
}

/** What the transport hands back for one command. */
export interface CommandOutput {
  readonly stdout: string;
  readonly exitCode: number;
  readonly stderr?: string;
}

export function isOk(cmd: HostCommand, out: CommandOutput): boolean {
  return (cmd.okExitCodes ?? [0]).includes(out.exitCode);
}

const SAFE_WORD = /^[A-Za-z0-9_./:=,@%+-]+$/;

/**
 * The one place where argv becomes a shell string (for SSH exec, whose remote side always
 * runs the string through the login shell). POSIX single quotes: everything inside is
 * literal except `'` itself, which is written as '\''. Words made only of safe characters
 * stay bare so logs remain readable.
 */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new HostCommandArgumentError('argv', 'must not be empty');
  return argv
    .map((a) => {
      if (a.includes('\0')) throw new HostCommandArgumentError('argv', 'NUL byte in argument');
      if (a !== '' && SAFE_WORD.test(a)) return a;
      return `'${a.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}

/** Non-negative integer check for numbers that end up in paths or argv. */
export function uintArg(name: string, n: number, max = 2 ** 31 - 1): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) {
    throw new HostCommandArgumentError(name, `must be an integer between 0 and ${max}, got ${String(n)}`);
  }
  return String(n);
}
