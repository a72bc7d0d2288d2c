import { createServer } from 'node:net';
import type { StackConfig } from './config';

/**
 * The ports the stack will listen on, each with the variable that moves it, checked before
 * anything starts so that a second netpin (or any other program) on a port is reported as
 * "port N (what) is taken: set VARIABLE" rather than as a child process dying later.
 * PostgreSQL and Redis check their own ports when they start (after stopping leftovers of
 * an earlier run of this state folder, which would otherwise look like strangers).
 */
export interface PortNeed {
  port: number;
  host: string;
  what: string;
  hint: string;
}

export function portsNeeded(c: StackConfig): PortNeed[] {
  const needs: PortNeed[] = [];
  if (c.components.has('api') && c.apiPort !== 0) needs.push({ port: c.apiPort, host: c.apiHost, what: 'the API', hint: 'PORT' });
  if (c.components.has('agent') && c.agentMetricsPort !== 0) {
    needs.push({
      port: c.agentMetricsPort,
      host: c.agentMetricsHost,
      what: "the agent's metrics",
      hint: 'NETPIN_AGENT_METRICS_PORT (0 turns them off)',
    });
  }
  if (c.components.has('hostsim')) {
    for (let i = 0; i < c.demoHosts; i++) {
      needs.push({
        port: c.demoBasePort + i,
        host: '127.0.0.1',
        what: `demo host ${i + 1} of ${c.demoHosts}`,
        hint: `NETPIN_DEMO_BASE_PORT (the demo fleet uses ${c.demoHosts} ports from it), or NETPIN_DEMO_HOSTS=0 for no demo fleet`,
      });
    }
  }
  return needs;
}

/** True when nothing listens there: we can bind it ourselves. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** One line per taken port (empty when all are free). */
export async function takenPorts(needs: PortNeed[], free = portFree): Promise<string[]> {
  const lines: string[] = [];
  for (const n of needs) {
    if (n.port > 65535) lines.push(`port ${n.port} (${n.what}) is beyond 65535: set ${n.hint}`);
    else if (!(await free(n.port, n.host))) lines.push(`port ${n.port} (${n.what}) is taken by another program: set ${n.hint}`);
  }
  return lines;
}
