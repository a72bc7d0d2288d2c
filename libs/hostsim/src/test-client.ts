import { createHash } from 'node:crypto';
import { Client } from 'ssh2';
import { shellQuote } from './shell-words';

/** A small ssh2 client for hostsim's own tests and measurements (not part of the API). */
export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface TestConnection {
  client: Client;
  hostKeyFingerprintSeen: string;
  /** Run a command; an array is quoted word by word the way the agent's transport does. */
  run(cmd: string | string[], stdin?: string): Promise<ExecResult>;
  end(): void;
}

export function quoteArgv(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

export function connect(o: { host: string; port: number; username: string; privateKey: string }): Promise<TestConnection> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let seen = '';
    client.on('ready', () => {
      client.setNoDelay(true);
      resolve({
        client,
        hostKeyFingerprintSeen: seen,
        run: (cmd, stdin) => exec(client, typeof cmd === 'string' ? cmd : quoteArgv(cmd), stdin),
        end: () => client.end(),
      });
    });
    client.on('error', reject);
    client.connect({
      host: o.host,
      port: o.port,
      username: o.username,
      privateKey: o.privateKey,
      readyTimeout: 5000,
      hostVerifier: (key: Buffer) => {
        seen = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
        return true;
      },
    });
  });
}

function exec(client: Client, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('connection closed'));
    client.once('close', onClose);
    client.exec(command, (err, ch) => {
      if (err) {
        client.off('close', onClose);
        return reject(err);
      }
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ch.on('exit', (c: number | null) => (code = c));
      ch.on('close', () => {
        client.off('close', onClose);
        resolve({ stdout, stderr, code });
      });
      if (stdin !== undefined) ch.end(stdin);
    });
  });
}
