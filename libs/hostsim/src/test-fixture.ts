import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClientKey } from './keys';
import { profileSpec } from './profiles';
import { type HostOptions, SimHost } from './sim-host';
import { type TestConnection, connect } from './test-client';

/** One host plus a logged-in client, for specs (not part of the public API). */
export interface Fixture {
  host: SimHost;
  conn: TestConnection;
  stateDir: string;
  privateKey: string;
  close(): Promise<void>;
}

export async function hostFixture(profile: string, extra: Partial<HostOptions> = {}): Promise<Fixture> {
  const stateDir = mkdtempSync(join(tmpdir(), 'hostsim-spec-'));
  const key = ensureClientKey(stateDir);
  const host = await SimHost.start(profileSpec(profile, 'hv-test', 1), { stateDir, authorizedKeys: [key.publicKey], ...extra });
  const conn = await connect({ host: host.address, port: host.port, username: host.user, privateKey: key.privateKey });
  return {
    host,
    conn,
    stateDir,
    privateKey: key.privateKey,
    close: async () => {
      conn.end();
      await host.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
