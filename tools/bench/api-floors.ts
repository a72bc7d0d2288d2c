/** bench:api `--floors`: the layer floors (tools/bench/floor-server.ts) as child processes, ready. */
import { join, resolve } from 'node:path';
import { runChild, stopChild, type Undo } from './api-child';
import { freePort, root, waitReady } from './provision-stack';

export const FLOOR_KINDS = ['express', 'apollo'] as const;

export interface Floor {
  kind: (typeof FLOOR_KINDS)[number];
  url: string;
  pid: number;
}

export async function startFloors(stateDir: string, body: string, undo: Undo): Promise<Floor[]> {
  const floors: Floor[] = [];
  for (const kind of FLOOR_KINDS) {
    const port = await freePort();
    const child = runChild(
      ['-r', '@swc-node/register', resolve(root, 'tools/bench/floor-server.ts')],
      { KIND: kind, BODY: body, PORT: String(port), NODE_ENV: 'production', SWC_NODE_PROJECT: resolve(root, 'tsconfig.json') },
      join(stateDir, `floor-${kind}.log`),
    );
    undo.push(() => stopChild(child));
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, 60_000, () => child.proc.exitCode !== null);
    floors.push({ kind, url, pid: child.proc.pid ?? 0 });
  }
  return floors;
}
