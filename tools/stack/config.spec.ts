import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadStackConfig, StackConfigError } from './config';
import { portFree, portsNeeded, takenPorts } from './ports';

const load = (env: NodeJS.ProcessEnv, argv: string[] = [], tty = false) => loadStackConfig('/repo', argv, env, tty);

describe('stack configuration', () => {
  it('takes NETPIN_DEMO_HOSTS=0 as "no demo fleet": no demo ports are needed', () => {
    const c = load({ NETPIN_DEMO_HOSTS: '0' });
    expect(c.demoHosts).toBe(0);
    expect(portsNeeded(c).map((n) => n.what)).toEqual(['the API', "the agent's metrics"]);
  });

  it('refuses a demo fleet size that is not a whole number, naming the variable', () => {
    expect(() => load({ NETPIN_DEMO_HOSTS: '-1' })).toThrow(StackConfigError);
    expect(() => load({ NETPIN_DEMO_HOSTS: 'two' })).toThrow('invalid configuration: NETPIN_DEMO_HOSTS: must be a whole number from 0');
    expect(() => load({ NETPIN_PG_PORT: '70000' })).toThrow('invalid configuration: NETPIN_PG_PORT: must be a port number');
  });

  it('logs pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(load({}, [], true).logFormat).toBe('pretty');
    expect(load({}, [], false).logFormat).toBe('json');
    expect(load({ LOG_FORMAT: 'json' }, [], true).logFormat).toBe('json');
    expect(load({ LOG_FORMAT: 'pretty' }, [], false).logFormat).toBe('pretty');
    expect(() => load({ LOG_FORMAT: 'xml' })).toThrow('invalid configuration: LOG_FORMAT: must be pretty or json');
  });

  it('needs only the ports of the components it runs', () => {
    const c = load({ NETPIN_AGENT_METRICS_PORT: '0' }, ['--only', 'api']);
    expect(portsNeeded(c)).toEqual([{ port: 3000, host: '127.0.0.1', what: 'the API', hint: 'PORT' }]);
    expect(() => load({}, ['--only', 'web'])).toThrow('--only takes a comma-separated list of api, agent, hostsim');
  });
});

describe('ports taken before start', () => {
  it('names each taken port with the variable that moves it', async () => {
    const holder = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
    const { port } = holder.address() as { port: number };
    try {
      const c = load({
        PORT: String(port),
        NETPIN_DEMO_BASE_PORT: String(port - 1),
        NETPIN_DEMO_HOSTS: '2',
        NETPIN_AGENT_METRICS_PORT: '0',
      });
      // the demo fleet's second port and the API's are the same taken port; the first demo port is checked for real
      const free = async (p: number, h: string): Promise<boolean> => (p === port ? portFree(p, h) : true);
      expect(await takenPorts(portsNeeded(c), free)).toEqual([
        `port ${port} (the API) is taken by another program: set PORT`,
        `port ${port} (demo host 2 of 2) is taken by another program: set NETPIN_DEMO_BASE_PORT (the demo fleet uses 2 ports from it), or NETPIN_DEMO_HOSTS=0 for no demo fleet`,
      ]);
    } finally {
      holder.close();
    }
  });

  it("names the agent's metrics port", async () => {
    const holder = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
    const { port } = holder.address() as { port: number };
    try {
      const c = load({ NETPIN_AGENT_METRICS_PORT: String(port) }, ['--only', 'agent']);
      expect(await takenPorts(portsNeeded(c))).toEqual([
        `port ${port} (the agent's metrics) is taken by another program: set NETPIN_AGENT_METRICS_PORT (0 turns them off)`,
      ]);
    } finally {
      holder.close();
    }
  });
});
