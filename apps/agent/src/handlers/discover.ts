import type { CommandOutput } from '@netpin/host-ops';
import { assembleFacts, nextDiscoverySteps } from '@netpin/host-ops';
import type { JobHandler } from './types';

/** Read-only: runs host-ops' discovery rounds (commands of one round in parallel) and assembles HostFacts. */
export const discoverHandler: JobHandler<'host.discover'> = {
  mutating: false,
  stepCount: () => 2,
  async run(_payload, { shell, steps }) {
    const out: Record<string, CommandOutput> = {};
    await steps.run('read host', async () => {
      for (let round = nextDiscoverySteps(out); round.length > 0; round = nextDiscoverySteps(out)) {
        const results = await Promise.all(round.map((s) => shell.exec(s.command)));
        round.forEach((s, i) => {
          out[s.key] = results[i];
        });
      }
      return 'unchanged';
    });
    let facts: ReturnType<typeof assembleFacts> | undefined;
    await steps.run('assemble facts', async () => {
      facts = assembleFacts(out);
      return 'unchanged';
    });
    if (!facts) throw new Error('facts were not assembled');
    return facts;
  },
};
