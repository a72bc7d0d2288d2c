import type { HostTarget } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors';
import { LocalTransportProvider } from './local-transport';

const host = (name: string): HostTarget => ({
  id: `id-${name}`,
  name,
  address: '127.0.0.1',
  port: 22,
  user: 'root',
  credentialRef: 'file:id_ed25519',
  hostKeyFingerprint: null,
  trustOnFirstUse: true,
});

describe('local transport', () => {
  it('runs the commands of its own host on this machine', async () => {
    const t = new LocalTransportProvider('hv-07').forHost(host('hv-07'));
    expect(await t.exec(['sh', '-c', 'echo "$0"', 'local'], { timeoutMs: 5000 })).toEqual({ exitCode: 0, stdout: 'local\n', stderr: '' });
  });

  it('gives stdin as something /dev/stdin can be opened on (virsh define /dev/stdin), not a socket', async () => {
    const t = new LocalTransportProvider('hv-07').forHost(host('hv-07'));
    expect(await t.exec(['cat', '/dev/stdin'], { timeoutMs: 5000, stdin: '<domain/>\n' })).toEqual({
      exitCode: 0,
      stdout: '<domain/>\n',
      stderr: '',
    });
    expect(await t.exec(['cat'], { timeoutMs: 5000 })).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it("refuses another host's job instead of changing this machine, naming both hosts", () => {
    const provider = new LocalTransportProvider('hv-07');
    let err: unknown;
    try {
      provider.forHost(host('hv-08'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'BAD_PAYLOAD', retryable: false });
    expect((err as Error).message).toBe(
      'this agent runs commands on hv-07 only (NETPIN_AGENT_TRANSPORT=local): the job is for host hv-08; serve several hosts with an SSH agent',
    );
  });
});
