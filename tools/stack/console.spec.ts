import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StackConsole } from './console';

function sink(isTTY: boolean): { out: PassThrough & { isTTY?: boolean }; text: () => string } {
  const out: PassThrough & { isTTY?: boolean } = new PassThrough();
  out.isTTY = isTTY;
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { out, text: () => text };
}

const agentJob = JSON.stringify({
  level: 30,
  time: 1796400016522,
  agentId: 'vm-1',
  requestId: 'r-1',
  operationId: 'op-1',
  hostId: 'h-1',
  jobId: 'op-1',
  kind: 'host.discover',
  msg: 'job succeeded',
});

describe('stack console, pretty', () => {
  it('shows short lines tagged by component, without ids, once the banner is out', () => {
    const { out, text } = sink(false);
    const c = new StackConsole('pretty', 'info', out);
    c.banner('netpin is up', ['web UI    http://127.0.0.1:3000/'], {});
    c.line('agent', agentJob, 'info');
    const lines = text().trim().split('\n');
    const last = lines[lines.length - 1];
    expect(last).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: agent +job succeeded \{"kind":"host.discover"\}$/);
    expect(last).not.toMatch(/op-1|r-1|h-1|vm-1/);
  });

  it("keeps children's info lines out until the banner, so the banner is the last thing at start", () => {
    const { out, text } = sink(false);
    const c = new StackConsole('pretty', 'info', out);
    c.line('agent', agentJob, 'info');
    c.line('agent', 'netpin-agent: metrics at http://127.0.0.1:9464/metrics', 'info');
    c.log('stack', 'info', 'demo fleet up');
    c.line('api', JSON.stringify({ level: 50, time: 1, msg: 'outbox relay pass failed' }), 'info');
    c.banner('netpin is up', ['Admin token:', '  export NETPIN_TOKEN=npboot_x'], {});
    const shown = text();
    expect(shown).not.toContain('job succeeded');
    expect(shown).not.toContain('metrics at');
    expect(shown).toMatch(/INFO: stack +demo fleet up/);
    expect(shown).toMatch(/ERROR: api +outbox relay pass failed/);
    expect(shown.trimEnd().split('\n').slice(-4)).toEqual([
      '',
      '  Admin token:',
      '    export NETPIN_TOKEN=npboot_x',
      expect.stringMatching(/^═+$/),
    ]);
  });

  it('turns request logs into one line, and successful ones into debug', () => {
    const { out, text } = sink(false);
    const c = new StackConsole('pretty', 'debug', out);
    c.banner('up', [], {});
    const req = (status: number): string =>
      JSON.stringify({
        level: 30,
        time: 1,
        req: { method: 'POST', url: '/graphql', headers: {} },
        res: { statusCode: status },
        responseTime: 7,
        msg: 'request completed',
      });
    c.line('api', req(200), 'info');
    c.line('api', req(401), 'info');
    expect(text()).toMatch(/DEBUG: api +POST \/graphql 200 7 ms/);
    expect(text()).toMatch(/INFO: api +POST \/graphql 401 7 ms/);
    expect(text()).not.toContain('headers');
  });
});

describe('stack console, json', () => {
  it('writes every line as one JSON object tagged with its component, plain text included', () => {
    const { out, text } = sink(false);
    const c = new StackConsole('json', 'info', out);
    c.line('agent', agentJob, 'info');
    c.line('hostsim', 'hostsim: SIGTERM, stopping 4 host(s)', 'info');
    c.banner('netpin is up', ['export NETPIN_TOKEN=secret'], { webUi: 'http://127.0.0.1:3000/' });
    const entries = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toMatchObject([
      { component: 'agent', msg: 'job succeeded', operationId: 'op-1', level: 30 },
      { component: 'hostsim', msg: 'SIGTERM, stopping 4 host(s)', level: 30 },
      { component: 'stack', msg: 'netpin is up', webUi: 'http://127.0.0.1:3000/' },
    ]);
    // the token stays in its file: JSON goes to log collectors
    expect(text()).not.toContain('secret');
  });
});
