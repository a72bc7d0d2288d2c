import { NetpinClient } from '@netpin/client';
import WebSocket from 'ws';
import { EXIT, UsageError, isLocalCommand, parseCli, type CommandSpec } from './args';
import { runCommand, runLocalCommand, type CommandResult } from './commands';
import { resolveConfig, type CliConfig } from './config';
import { describeFailure, exitCodeFor } from './failure';
import { terminalText } from './format';
import type { ProgressStream } from './progress';

export interface CliIo {
  stdout: { write(chunk: string): boolean };
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** For tests: a fetch stub instead of the network. */
  fetch?: typeof fetch;
}

/** Run one command line; resolves with the exit code (see EXIT). Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json');
  let config: CliConfig | undefined;
  let client: NetpinClient | undefined;
  let command: CommandSpec | undefined;
  try {
    const parsed = parseCli(argv);
    if (parsed.kind === 'help') {
      io.stdout.write(`${parsed.json ? JSON.stringify({ help: parsed.text }) : parsed.text}\n`);
      return EXIT.OK;
    }
    json = parsed.global.json;
    command = parsed.command;
    const name = parsed.command.name;
    if (isLocalCommand(name)) return print(io, json, runLocalCommand(name, parsed.args));
    config = resolveConfig(parsed.global, io.env);
    for (const w of config.warnings) io.stderr.write(`warning: ${w}\n`);
    client = new NetpinClient({ url: config.url, token: config.token, webSocketImpl: WebSocket, fetch: io.fetch });
    const result = await runCommand(name, {
      client,
      args: parsed.args,
      values: parsed.values,
      nets: parsed.nets,
      json,
      stderr: io.stderr,
      signal: io.signal ?? new AbortController().signal,
    });
    return print(io, json, result);
  } catch (err) {
    if (io.signal?.aborted && err === io.signal.reason) {
      io.stderr.write('interrupted: the operation goes on (netpin operations watch <id> to follow it)\n');
      return 130;
    }
    const report = describeFailure(
      err instanceof UsageError && !err.command && command ? new UsageError(err.message, command) : err,
      config,
    );
    io.stderr.write(`${terminalText(report.text)}\n`);
    if (json) io.stdout.write(`${JSON.stringify(report.json, null, 2)}\n`);
    return exitCodeFor(err);
  } finally {
    await client?.close();
  }
}

function print(io: CliIo, json: boolean, result: CommandResult): number {
  io.stdout.write(`${json ? JSON.stringify(result.json, null, 2) : terminalText(result.text)}\n`);
  return result.exit;
}
