import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page, WebSocket } from 'playwright-core';
import { buildWebUi, launchBrowser, type TestBrowser } from './support/browser';
import { startCluster, type Cluster } from './support/cluster';

/**
 * The admin UI in a real Chromium against the real stack: the API serves the freshly
 * built apps/web/dist and every step goes through the screens a person would use.
 * Screenshots land in test-output/web/.
 */

let c: Cluster;
let b: TestBrowser;
let page: Page;
const wsFrames: string[] = [];

const DUAL = 'web-01'; // dual-socket-sriov: 2 sockets, 2 NUMA nodes x 32 CPUs
const SMALL = 'web-02'; // small-one-node: 1 NUMA node x 8 CPUs
const BIG = 'web-03'; // epyc-256: 2 sockets x 64 cores x 2 threads, 4 NUMA nodes
const HOSTS = [DUAL, SMALL, BIG];
const VM = 'web-vm1';

const tid = (id: string): Locator => page.getByTestId(id);
const attr = (l: Locator, name: string) => () => l.getAttribute(name, { timeout: 2_000 }).catch(() => null);

async function go(hash: string): Promise<void> {
  await page.goto(`${c.api.url}/${hash}`);
}

/** The CPU cells of the drawn topology: id, role, owner and the node the tooltip names. */
async function cpuCells(): Promise<{ id: number; role: string; vm: string | null; node: number }[]> {
  return page.locator('[data-testid="topology"] [data-cpu-id]').evaluateAll((els) =>
    els.map((el) => ({
      id: Number(el.getAttribute('data-cpu-id')),
      role: el.getAttribute('data-role') ?? '',
      vm: el.getAttribute('data-vm-id'),
      node: Number(/node (\d+)/.exec(el.querySelector('title')?.textContent ?? '')?.[1] ?? -1),
    })),
  );
}

/** NUMA node labels wider than their node's box (they would be cut off): "node N: text" for each. */
async function overflowingNodeLabels(): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll('[data-testid^="numa-node-"]')].flatMap((g) => {
    const box = g.querySelector('rect').getBBox();
    return [...g.querySelectorAll('text')].filter((t) => { const b = t.getBBox(); return b.x + b.width > box.x + box.width; })
      .map((t) => g.getAttribute('data-testid') + ': ' + t.textContent);
  })`);
}

async function vmByName(
  name: string,
): Promise<{ id: string; state: string; plan: { hostName: string; vcpuPins: { cpus: number[] }[] } | null }> {
  const { vms } = await c.client.request<{
    vms: { nodes: { id: string; name: string; state: string; plan: { hostName: string; vcpuPins: { cpus: number[] }[] } | null }[] };
  }>(`query ($name: String) { vms(filter: { name: $name }) { nodes { id name state plan { hostName vcpuPins { cpus } } } } }`, { name });
  const vm = vms.nodes.find((v) => v.name === name);
  if (!vm) throw new Error(`no VM ${name}`);
  return vm;
}

beforeAll(async () => {
  buildWebUi();
  c = await startCluster({ profiles: ['dual-socket-sriov', 'small-one-node', 'epyc-256'], namePrefix: 'web' });
  b = await launchBrowser();
  page = b.page;
  page.setDefaultTimeout(15_000);
  page.on('websocket', (ws: WebSocket) => ws.on('framereceived', (f) => wsFrames.push(String(f.payload))));
}, 120_000);

afterAll(async () => {
  await b?.close();
  await c?.stop();
});

describe('admin UI in Chromium', () => {
  let placedOn = '';
  let vmId = '';
  let opId = '';

  it('01 refuses without a token, then signs in with one', async () => {
    await go('#/fleet');
    const refusal = page.getByRole('alert').filter({ hasText: 'Cannot load hosts' });
    await expect.poll(() => refusal.getByTestId('error-message').textContent()).toMatch(/token/i);
    await expect(refusal.textContent()).resolves.toContain('UNAUTHENTICATED');
    await expect(tid('error').count()).resolves.toBe(1);
    await b.shot(page, 'fleet-without-token');

    await refusal.getByTestId('error-signin').click();
    await page.waitForURL(/#\/signin$/);
    await tid('signin-token').fill(process.env.NETPIN_TOKEN ?? '');
    await expect(tid('signin-submit').textContent()).resolves.toBe('Sign in');
    await b.shot(page, 'signin');
    await tid('signin-submit').click();
    await page.waitForURL(/#\/fleet$/);
    await expect(tid('nav-signin').textContent()).resolves.toBe('Token set');
    // string form: the integration tsconfig has no DOM typings
    await expect(page.evaluate<string | null>(`localStorage.getItem('netpin.apiToken')`)).resolves.toBe(process.env.NETPIN_TOKEN);
  });

  it('02 shows every host with its state, NUMA capacity and capability badges', async () => {
    await tid(`host-row-${DUAL}`).waitFor();
    await expect.poll(attr(tid(`host-row-${DUAL}`), 'data-host-state')).toBe('READY');
    await expect(attr(tid(`host-row-${SMALL}`), 'data-host-state')()).resolves.toBe('READY');
    await expect(attr(tid(`host-row-${BIG}`), 'data-host-state')()).resolves.toBe('READY');
    await expect(page.locator('.host-row').count()).resolves.toBe(3);
    await expect(page.locator('.page-head .muted').first().textContent()).resolves.toBe('3 hosts');
    // two NUMA nodes on the dual-socket host, one on the small one, four on the EPYC
    await expect(page.locator(`[data-testid^="host-${DUAL}-node-"]`).count()).resolves.toBe(2);
    await expect(page.locator(`[data-testid^="host-${SMALL}-node-"]`).count()).resolves.toBe(1);
    await expect(page.locator(`[data-testid^="host-${BIG}-node-"]`).count()).resolves.toBe(4);
    await expect(tid(`host-${SMALL}-node-0`).locator('.capbar').first().textContent()).resolves.toMatch(/^CPUs\s*6\/6 free$/); // 8 CPUs less the host-reserved core (2 threads)
    // the same figure, and the same words, as `netpin hosts list` / `hosts show` (reserved CPUs in neither number)
    await expect(tid(`host-${SMALL}-cpus`).textContent()).resolves.toBe('CPUs 6 of 6 free (+2 reserved for the host)');
    await expect(tid(`host-${BIG}-cpus`).textContent()).resolves.toBe('CPUs 248 of 248 free (+8 reserved for the host)');
    for (const host of HOSTS) {
      const on = await tid(`host-row-${host}`).locator('.badge.cap-on').allTextContents();
      expect(on).toEqual(['IOMMU', 'vhost-net', 'SR-IOV']);
    }
    await b.shot(page, 'fleet');
  });

  it('03 draws the host topology with CPUs per NUMA node and the NICs with their VFs', async () => {
    await page.getByRole('link', { name: DUAL, exact: true }).click();
    await page.waitForURL(new RegExp(`#/hosts/${DUAL}$`));
    await tid('topology').waitFor();
    await expect(page.locator('[data-testid^="numa-node-"]').count()).resolves.toBe(2);
    const cells = await cpuCells();
    expect(cells).toHaveLength(64);
    expect(cells.filter((x) => x.node === 0)).toHaveLength(32);
    expect(cells.filter((x) => x.node === 1)).toHaveLength(32);
    expect(cells.filter((x) => x.role === 'vcpu')).toHaveLength(0);
    // the SR-IOV NIC sits in node 1 with its VFs drawn, none allocated yet
    await expect(tid('nic-ens5f0').locator('[data-vf-index]').count()).resolves.toBeGreaterThan(0);
    await expect(tid('nic-ens5f0').locator('[data-vf-state="allocated"]').count()).resolves.toBe(0);
    await b.shot(page, `host-${DUAL}-topology`);
  });

  it('04 creates a VM through the wizard with a live SR-IOV placement preview', async () => {
    await tid('nav-vms').click();
    await tid('new-vm').click();
    await tid('create-vm-form').waitFor();
    await tid('field-name').fill(VM);
    await tid('field-vcpus').fill('4');
    await tid('field-memoryMiB').fill('2048');
    await tid('field-interfaces.0.network').selectOption('physnet0');
    await expect.poll(attr(tid('preview-panel'), 'data-state'), { timeout: 10_000 }).toBe('fits');
    placedOn = (await tid('preview-host').textContent()) ?? '';
    expect(HOSTS).toContain(placedOn);
    await expect(tid('preview-iface-0-datapath').textContent()).resolves.toBe('SRIOV');
    await expect(tid('preview-cpu-map').locator('tr.role-vcpu').count()).resolves.toBe(4);
    await b.shot(page, 'wizard-preview');

    await tid('create-vm-submit').click();
    await page.waitForURL(/#\/operations\/[^/]+$/);
  });

  it('05 shows the operation reach SUCCEEDED with every step done, and the VM RUNNING', async () => {
    await tid('operation-detail').waitFor();
    opId = page.url().split('/').pop() ?? '';
    await expect.poll(attr(tid('operation-detail'), 'data-op-state'), { timeout: 30_000 }).toBe('SUCCEEDED');
    await expect(attr(tid('op-progress').getByRole('progressbar'), 'aria-valuenow')()).resolves.toBe('100');
    const steps = await tid('op-steps')
      .locator('[data-step-state]')
      .evaluateAll((els) => els.map((e) => ({ state: e.getAttribute('data-step-state'), text: e.textContent ?? '' })));
    expect(steps.length).toBeGreaterThan(0);
    // every step done; a step with nothing to do is SKIPPED (a new guest's taps already sit on their bridge)
    expect(steps.filter((x) => x.state !== 'SUCCEEDED').map((x) => `${x.text}:${x.state}`)).toEqual(
      steps.filter((x) => x.text.includes('bridge ports')).map((x) => `${x.text}:SKIPPED`),
    );
    await b.shot(page, 'operation-succeeded');

    await tid('nav-vms').click();
    await expect.poll(attr(tid(`vm-row-${VM}`), 'data-vm-state'), { timeout: 15_000 }).toBe('RUNNING');
    // host and network names come from their own queries, which may answer after the VM list
    await expect.poll(() => tid(`vm-row-${VM}`).textContent()).toContain(`${placedOn} / node`);
    await expect.poll(() => tid(`vm-row-${VM}`).textContent()).toContain('physnet0: SRIOV');
    await b.shot(page, 'vms-running');
  });

  it('05b received that operation\u2019s progress, final state included, as graphql-ws pushes', () => {
    const pushes = wsFrames
      .map(
        (f) =>
          JSON.parse(f) as {
            type: string;
            payload?: { data?: { operationUpdated?: { id: string; state: string } } | null; errors?: { message: string }[] };
          },
      )
      .filter((m) => m.type === 'next');
    const mine = pushes.filter((m) => m.payload?.data?.operationUpdated?.id === opId);
    expect(mine.length).toBeGreaterThan(0);
    expect(pushes.flatMap((m) => m.payload?.errors ?? []).map((e) => e.message)).toEqual([]);
    expect(mine.map((m) => m.payload?.data?.operationUpdated?.state)).toContain('SUCCEEDED');
  });

  it('05c lists operations in the Operations page\u2019s default view (state "any")', async () => {
    await tid('nav-operations').click();
    await tid(`op-row-${opId}`).waitFor();
    await expect(attr(tid(`op-row-${opId}`), 'data-op-state')()).resolves.toBe('SUCCEEDED');
    await expect(tid('error').count()).resolves.toBe(0);
    // the target by its name, not its id
    await expect(tid(`op-row-${opId}`).textContent()).resolves.toContain(`vm ${VM}`);
    await b.shot(page, 'operations');
  });

  it('06 colours the VM\u2019s CPUs on the host topology', async () => {
    const vm = await vmByName(VM);
    vmId = vm.id;
    expect(vm.plan?.hostName).toBe(placedOn);
    await go(`#/hosts/${placedOn}`);
    await tid('topology').waitFor();
    const owned = (await cpuCells()).filter((x) => x.vm === vmId);
    const vcpus = owned
      .filter((x) => x.role === 'vcpu')
      .map((x) => x.id)
      .sort((a, z) => a - z);
    const pinned = (vm.plan?.vcpuPins ?? []).flatMap((p) => p.cpus).sort((a, z) => a - z);
    expect(vcpus).toEqual(pinned);
    expect(vcpus).toHaveLength(4);
    await expect(tid(`legend-vm-${vmId}`).textContent()).resolves.toContain(VM);
    await expect(page.locator(`[data-vf-state="allocated"]`).count()).resolves.toBe(1);
    await expect(overflowingNodeLabels()).resolves.toEqual([]); // a small node keeps its whole label
    await b.shot(page, `host-${placedOn}-with-vm`);
    // hovering the VM in the legend outlines exactly its CPUs
    await tid(`legend-vm-${vmId}`).hover();
    await expect(page.locator('[data-cpu-id].lit').count()).resolves.toBe(owned.length);
    await b.shot(tid('topology'), `host-${placedOn}-topology-hover`);
    // the IRQ table names the VM for exactly the IRQs its plan pinned, grouped by target, as applied and verified
    const { vm: planned } = await c.client.request<{ vm: { plan: { irqAffinity: unknown[]; interfaces: { mac: string }[] } } }>(
      `query ($id: ID!) { vm(id: $id) { plan { irqAffinity { irq } interfaces { mac } } } }`,
      { id: vmId },
    );
    const irqOwners = await page
      .locator('.irq-list li[data-vm-id]')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-vm-id'), Number(e.getAttribute('data-irq-count')), e.getAttribute('data-source')]),
      );
    expect(irqOwners.reduce((n, [, count]) => n + Number(count), 0)).toBe(planned.plan.irqAffinity.length);
    expect(new Set(irqOwners.map(([id]) => id))).toEqual(new Set([vmId]));
    expect(new Set(irqOwners.map(([, , source]) => source))).toEqual(new Set(['VERIFIED']));
    await expect(page.locator(`.irq-list li[data-vm-id="${vmId}"]`).first().textContent()).resolves.toContain(`(${VM})`);
    // the VF shows the MAC the plan gave it, not the 00:00:00:00:00:00 discovery read before
    await expect(page.locator('.vf-list').first().textContent()).resolves.toContain(planned.plan.interfaces[0]!.mac);
  });

  it('06b adds a NIC to the running VM from its row, follows the hot-plug to its end, and removes it again', async () => {
    await tid('nav-vms').click();
    await tid(`add-nic-${VM}`).click();
    // bad input comes back from the API as a typed error naming its field, and the form stays
    await tid('nic-field-network').selectOption('tenant-br');
    await tid('nic-field-mac').fill('01:00:5e:00:00:01');
    await tid('nic-submit').click();
    await expect(tid('error-field').textContent()).resolves.toBe('input.mac');
    await tid('nic-field-mac').fill('');
    await tid('nic-submit').click();
    await expect.poll(attr(tid('nic-progress'), 'data-op-state'), { timeout: 60_000 }).toBe('SUCCEEDED');
    await expect.poll(() => tid(`vm-row-${VM}`).textContent(), { timeout: 15_000 }).toContain('tenant-br:');
    await b.shot(page, 'vm-nic-added');
    const { vm } = await c.client.request<{ vm: { interfaces: { index: number; networkName: string }[] } }>(
      `query ($id: ID!) { vm(id: $id) { interfaces { index networkName } } }`,
      { id: vmId },
    );
    const added = vm.interfaces.find((i) => i.networkName === 'tenant-br');
    expect(added).toBeDefined();
    await tid(`remove-nic-${VM}-${added!.index}`).click();
    await tid(`remove-nic-${VM}-${added!.index}-confirm`).click();
    await expect.poll(attr(tid('nic-progress'), 'data-op-state'), { timeout: 60_000 }).toBe('SUCCEEDED');
    await expect.poll(() => tid(`vm-row-${VM}`).textContent(), { timeout: 15_000 }).not.toContain('tenant-br:');
    expect((await tid('nic-progress').textContent()) ?? '').toContain(`Removing NIC ${added!.index} (tenant-br`);
  });

  it('07 deletes the VM after confirmation and frees its CPUs', async () => {
    await tid('nav-vms').click();
    await tid(`delete-vm-${VM}`).click();
    await tid(`delete-vm-${VM}-confirm`).waitFor();
    await expect(page.getByRole('alertdialog').textContent()).resolves.toContain(`Delete ${VM}?`);
    await b.shot(page, 'delete-confirm');
    await tid(`delete-vm-${VM}-confirm`).click();
    await expect(tid('vm-delete-follow').locator('xpath=..').textContent()).resolves.toBe(`Deletion of ${VM} queued: follow its operation`);
    await tid('vm-delete-follow').click();
    await expect.poll(attr(tid('operation-detail'), 'data-op-state'), { timeout: 60_000 }).toBe('SUCCEEDED');
    await expect(page.locator('.crumbs').textContent()).resolves.toBe(`Operations / vm.delete ${VM}`);
    await expect(page.locator('#op-title').textContent()).resolves.toMatch(/DELETE/i);

    await go(`#/hosts/${placedOn}`);
    await tid('topology').waitFor();
    const cells = await cpuCells();
    expect(cells.filter((x) => x.vm !== null)).toEqual([]);
    expect(cells.filter((x) => x.role === 'vcpu')).toHaveLength(0);
    await expect(page.locator(`[data-vf-state="allocated"]`).count()).resolves.toBe(0);
    await expect(page.locator('.legend-vms').count()).resolves.toBe(0);
    await b.shot(page, `host-${placedOn}-after-delete`);

    // deleted VMs leave the default list; the state filter brings them back
    await tid('nav-vms').click();
    await page.locator('[data-testid="vm-table"], .status-empty').first().waitFor();
    await expect(tid(`vm-row-${VM}`).count()).resolves.toBe(0);
    await tid('vm-state-filter').selectOption('DELETED');
    await expect.poll(attr(tid(`vm-row-${VM}`), 'data-vm-state')).toBe('DELETED');
  });

  it('07b draws a 256-CPU host legibly: compact cells by NUMA node, every role of a shared CPU, IRQs as ranges', async () => {
    // two VMs on the EPYC's node 0: a bridge and a macvtap interface, both served by vhost threads on the
    // node's I/O CPUs, which also take the NIC's IRQs; a third VM with a VF on node 1
    const made: string[] = [];
    for (const [name, network] of [
      ['big-br', 'tenant-br'],
      ['big-mvt', 'direct'],
      ['big-vf', 'physnet0'],
    ] as const) {
      const { createVm } = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
        'mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }',
        { input: { name, vcpus: 4, memoryMiB: 2048, pinHost: BIG, interfaces: [{ network }] } },
      );
      expect((await c.client.waitForOperation(createVm.operation.id, 60_000)).state).toBe('SUCCEEDED');
      made.push(createVm.vm.id);
    }
    await go(`#/hosts/${BIG}`);
    await tid('topology').waitFor();
    await expect(attr(tid('topology'), 'data-mode')()).resolves.toBe('compact');
    const cells = await cpuCells();
    expect(cells).toHaveLength(256);
    await expect(page.locator('[data-testid^="numa-node-"]').count()).resolves.toBe(4);
    for (let n = 0; n < 4; n++) expect(cells.filter((x) => x.node === n)).toHaveLength(64);
    // the picture fits the page: no sideways scrolling at 100 %, and the row labels name every CPU
    const canvas = await page.locator('.topo-canvas').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(canvas.scroll).toBeLessThanOrEqual(canvas.client);
    await expect(page.locator('.topo-row-label').count()).resolves.toBe(8); // 32 cores per node, 16 per row
    // the I/O CPUs of node 0: NIC IRQs of the first VM and the vhost threads of both
    const shared = await page
      .locator('[data-testid="topology"] [data-roles~="irq"][data-roles~="vhost"]')
      .evaluateAll((els) => els.map((e) => e.querySelector('title')?.textContent ?? ''));
    expect(shared.length).toBeGreaterThan(0);
    for (const t of shared) expect(t).toMatch(/NIC IRQ of big-br, vhost of big-br and big-mvt/);
    await expect(tid('legend-role-vhost').textContent()).resolves.not.toContain('(0)');
    // eno1's 8 queue IRQs on one line, owned by the VM the picture shows on those CPUs
    const eno1 = tid('nic-row-eno1').locator('.irq-list li');
    await expect(eno1.count()).resolves.toBe(1);
    await expect(eno1.textContent()).resolves.toMatch(/^40–47 q0–q7 → \d+(,\d+)* \(big-br\) · (verified|applied)/);
    // only configured VFs are drawn (8 of a possible 127), the maximum is a number
    await expect(tid('nic-ens1f0').locator('[data-vf-index]').count()).resolves.toBe(8);
    await expect(tid('vfs-ens1f0').textContent()).resolves.toMatch(/^8 configured \(max 127\)/);
    // the CLI says the same free-CPU figures as the page, for the host and for each node
    // (not execFileSync: the API runs in this process and must keep answering)
    const { stdout: cli } = await promisify(execFile)(process.execPath, [join(__dirname, '..', 'bin/netpin.cjs'), 'hosts', 'show', BIG], {
      env: { PATH: process.env.PATH, HOME: c.stateDir, NETPIN_API_URL: c.api.url, NETPIN_TOKEN: process.env.NETPIN_TOKEN },
      encoding: 'utf8',
    });
    const figures = (text: string) => [...text.matchAll(/\d+ of \d+ free \(\+\d+ reserved for the host\)/g)].map((m) => m[0]);
    const shown = [
      await tid('host-cpu-counts').textContent(),
      ...(await page.locator('[data-testid^="numa-node-"] text').allTextContents()),
    ];
    expect(figures(shown.join('\n'))).toEqual(figures(cli));
    expect(figures(cli)).toHaveLength(5);
    await expect(overflowingNodeLabels()).resolves.toEqual([]);
    expect(figures(cli)[0]).not.toBe(`248 of 248 free (+8 reserved for the host)`); // the VMs hold some
    await b.shot(page, `host-${BIG}-256-cpus`);
    await b.shot(tid('topology'), `host-${BIG}-topology-compact`);
    await tid(`legend-vm-${made[0]}`).hover();
    await b.shot(page.locator('.topo-wrap'), `host-${BIG}-hover-big-br`);
    // the detailed view writes every CPU id in its cell, and scrolls inside its frame instead of the page
    await tid('topology-mode').click();
    await expect(attr(tid('topology'), 'data-mode')()).resolves.toBe('detailed');
    await expect(page.locator('[data-cpu-id="255"] text').textContent()).resolves.toMatch(/^255/);
    const pageOverflow = await page.evaluate<number>(`document.documentElement.scrollWidth - document.documentElement.clientWidth`);
    expect(pageOverflow).toBe(0);
    await b.shot(page.locator('.topo-wrap'), `host-${BIG}-topology-detailed`);
    for (const id of made) {
      const { deleteVm } = await c.client.request<{ deleteVm: { id: string } }>('mutation ($id: ID!) { deleteVm(id: $id) { id } }', { id });
      expect((await c.client.waitForOperation(deleteVm.id, 60_000)).state).toBe('SUCCEEDED');
    }
  }, 180_000); // three VMs created and deleted over SSH

  it('08 explains an impossible shape: rejection summary, reason codes and why not a host', async () => {
    await go('#/vms/new');
    await tid('field-name').fill('too-big');
    await tid('field-vcpus').fill('500');
    await tid('field-memoryMiB').fill('1024');
    await tid('field-interfaces.0.network').selectOption('physnet0');
    await expect.poll(attr(tid('preview-panel'), 'data-state'), { timeout: 10_000 }).toBe('rejected');
    const codes = await tid('rejection-summary').locator('tbody td:first-child code').allTextContents();
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    const hostsCounted = await tid('rejection-summary').locator('tbody td:nth-child(2)').allTextContents();
    expect(hostsCounted.map(Number).reduce((a, n) => Math.max(a, n), 0)).toBe(HOSTS.length);

    await tid('why-not-host').selectOption(SMALL);
    await tid('why-not-result').waitFor();
    const reasons = await tid('why-not-result').locator('li code').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.some((r) => codes.includes(r))).toBe(true);
    await b.shot(page, 'wizard-rejected');

    // submitting anyway gets the server's refusal, shown with its code
    await tid('create-vm-submit').click();
    await expect.poll(() => tid('error').textContent()).toContain('PLACEMENT_REJECTED');
    await expect(page.url()).toMatch(/#\/vms\/new$/);
  });

  it('08b mints an API token that works, shows its last use, and revokes it', async () => {
    await go('#/fleet');
    await tid('nav-admin').click();
    await page.waitForURL(/#\/admin\/tokens$/);
    await tid('token-name').fill('e2e-reader');
    await tid('token-role').selectOption('VIEWER');
    await tid('token-submit').click();
    const secret = (await tid('token-secret').textContent()) ?? '';
    expect(secret).toMatch(/^np_[0-9a-f]{12}_/);
    await b.shot(page, 'admin-token-minted');
    const hostsWith = async (token: string) =>
      fetch(`${c.api.url}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ hosts { totalCount } }' }),
      }).then((r) => r.json() as Promise<{ data?: { hosts: { totalCount: number } }; errors?: { extensions?: { code?: string } }[] }>);
    expect((await hostsWith(secret)).data?.hosts.totalCount).toBe(HOSTS.length);
    await expect(tid('token-last-used-e2e-reader').textContent()).resolves.toBe('never');
    await tid('token-minted-done').click();
    await page.reload();
    await expect.poll(() => tid('token-last-used-e2e-reader').textContent()).not.toBe('never');
    await expect(tid('token-state-e2e-reader').textContent()).resolves.toBe('active');
    await tid('token-revoke-e2e-reader').click();
    await tid('token-revoke-e2e-reader-confirm').click();
    await expect.poll(() => tid('token-state-e2e-reader').textContent()).toMatch(/^revoked /);
    await b.shot(page, 'admin-tokens');
    // the API forgets verified tokens on revoke: refused at once
    expect((await hostsWith(secret)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('08c stores an SSH key, shows the host that uses it, re-encrypts and deletes it once unused', async () => {
    const { host } = await c.client.request<{ host: { id: string } }>('query ($name: String) { host(name: $name) { id } }', {
      name: SMALL,
    });
    const useKey = async (credentialRef: string) => {
      await c.client.request('mutation ($id: ID!, $input: UpdateHostInput!) { updateHost(id: $id, input: $input) { id } }', {
        id: host.id,
        input: { credentialRef },
      });
      const { discoverHost } = await c.client.request<{ discoverHost: { id: string } }>(
        'mutation ($id: ID!) { discoverHost(id: $id) { id } }',
        { id: host.id },
      );
      expect((await c.client.waitForOperation(discoverHost.id, 60_000)).state).toBe('SUCCEEDED');
    };
    await tid('nav-admin').click();
    await tid('admin-tab-ssh-secrets').click();
    await page.waitForURL(/#\/admin\/ssh-secrets$/);
    await tid('secret-name').fill('web-key');
    await tid('secret-key').fill(readFileSync(join(c.stateDir, 'client_ed25519'), 'utf8'));
    await tid('secret-submit').click();
    await expect.poll(() => tid('secret-hosts-web-key').textContent()).toBe('none');
    await expect(tid('secret-key').inputValue()).resolves.toBe('');
    // the agent reaches the host through the stored key
    await useKey('secret:web-key');
    await page.reload();
    await expect.poll(() => tid('secret-hosts-web-key').textContent()).toBe(SMALL);
    await expect(tid('secret-delete-web-key').count()).resolves.toBe(0);
    await expect(tid('secret-key-web-key').textContent()).resolves.toContain('current');
    await tid('secret-rotate').click();
    await expect.poll(() => tid('secret-rotated').textContent()).toMatch(/^1 secret\(s\) re-encrypted under key test-master/);
    await b.shot(page, 'admin-ssh-secrets');
    await useKey('file:client_ed25519');
    await page.reload();
    await expect.poll(() => tid('secret-hosts-web-key').textContent()).toBe('none');
    await tid('secret-delete-web-key').click();
    await tid('secret-delete-web-key-confirm').click();
    await expect.poll(() => tid('secret-row-web-key').count()).toBe(0);
  }, 120_000);

  it('08d audit log names what each action touched: the deleted VMs, the stored key, the revoked token', async () => {
    await tid('nav-admin').click();
    await tid('admin-tab-audit').click();
    await page.waitForURL(/#\/admin\/audit$/);
    await tid('audit-row').first().waitFor();
    const targets = async (action: string) =>
      page.locator(`[data-testid="audit-row"][data-action="${action}"] [data-testid="audit-target"]`).allTextContents();
    // deleteVm answers an operation: the log names the operation's VM
    await expect(targets('graphql:deleteVm')).resolves.toEqual(expect.arrayContaining(['VM big-br', 'VM big-mvt', 'VM big-vf']));
    await expect(targets('graphql:revokeApiToken')).resolves.toEqual(['token e2e-reader']);
    await expect(targets('graphql:updateHost')).resolves.toEqual([`host ${SMALL}`, `host ${SMALL}`]);
    await expect(targets('graphql:createSshSecret')).resolves.toEqual(['web-key']); // deleted since: named from its input
    await b.shot(page, 'admin-audit');
    await tid('audit-action').fill('SshSecret');
    await expect
      .poll(() => page.locator('[data-testid="audit-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))))
      .toEqual(['graphql:deleteSshSecret', 'graphql:rotateSshSecrets', 'graphql:createSshSecret']);
  });

  it('09 fleet page stays usable on a 390 px wide phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await go('#/fleet');
    await tid(`host-row-${DUAL}`).waitFor();
    const overflow = await page.evaluate<number>(`document.documentElement.scrollWidth - document.documentElement.clientWidth`);
    expect(overflow).toBe(0);
    for (const host of HOSTS) {
      const box = await tid(`host-row-${host}`).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    }
    await expect(tid('nav-vms').isVisible()).resolves.toBe(true);
    await b.shot(page, 'fleet-narrow');
    expect(b.errors.filter((e) => !/401|Unauthorized|UNAUTHENTICATED/i.test(e))).toEqual([]);
  });
});
