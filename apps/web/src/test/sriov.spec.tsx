import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SriovPolicyFieldsFragment } from '@netpin/client/operations';
import { App } from '../App';
import { GraphQLRequestError } from '../lib/client';
import { ClientContext } from '../lib/hooks';
import { EMPTY_FORM, inputOf } from '../pages/SriovPoliciesPage';
import { stubClient, type Handler } from './fixtures';

const target = (
  nicName: string,
  state: 'CONVERGED' | 'PENDING' | 'BLOCKED' | 'FAILED',
  extra: Partial<SriovPolicyFieldsFragment['status']['targets'][number]> = {},
) => ({
  hostId: 'h1',
  hostName: 'hv-a',
  nicId: `nic-${nicName}`,
  nicName,
  state,
  reason: null,
  blockedBy: [],
  operationId: null,
  updatedAt: '2026-01-01T00:00:00Z',
  ...extra,
});

const pool: SriovPolicyFieldsFragment = {
  id: 'p1',
  name: 'pool-10g',
  priority: 5,
  hostNamePattern: 'hv-*',
  hostLabels: [{ key: 'rack', value: 'a' }],
  pfNamePattern: 'ens*',
  driver: null,
  vendorId: '8086',
  deviceId: null,
  numVfs: 16,
  spoofchk: true,
  trust: false,
  linkState: 'auto',
  maxTxRateMbps: 0,
  updatedAt: '2026-01-01T00:00:00Z',
  status: {
    hostsMatched: 1,
    pfsMatched: 2,
    converged: 1,
    pending: 0,
    blocked: 1,
    failed: 0,
    targets: [
      target('ens1f0', 'CONVERGED'),
      target('ens1f1', 'BLOCKED', {
        blockedBy: ['web-1', 'web-2'],
        reason: 'changing ens1f1 from 8 to 16 VFs would destroy 2 VF(s) held by web-1, web-2',
      }),
    ],
  },
};

function mount(handlers: Record<string, Handler>) {
  window.location.hash = '#/sriov-policies';
  const stub = stubClient(handlers);
  render(
    <ClientContext.Provider value={stub.client}>
      <App />
    </ClientContext.Provider>,
  );
  return stub;
}

async function settle() {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(50);
  });
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('SR-IOV policies page', () => {
  it('lists policies with their counts and per-PF states; BLOCKED names the VMs', async () => {
    vi.useFakeTimers();
    mount({ SriovPolicies: () => ({ sriovPolicies: [pool] }) });
    await settle();
    const row = screen.getByTestId('sriov-policy-pool-10g');
    expect(within(row).getByTestId('sriov-counts-pool-10g').textContent).toBe('1 hosts2 PFs1 converged0 pending1 blocked0 failed');
    const blocked = screen.getByTestId('sriov-target-pool-10g-hv-a-ens1f1');
    expect(within(blocked).getByText('BLOCKED')).toBeTruthy();
    expect(within(blocked).getByTestId('sriov-blocked-by').textContent).toContain('held by web-1, web-2');
    expect(within(screen.getByTestId('sriov-target-pool-10g-hv-a-ens1f0')).queryByTestId('sriov-blocked-by')).toBeNull();
    expect(within(row).getByText(/hosts hv-\* · rack=a · PFs ens\* · id 8086:\*/)).toBeTruthy();
  });

  it("creates a policy from the form and shows the server's field error", async () => {
    vi.useFakeTimers();
    let created: Record<string, unknown> | undefined;
    const stub = mount({
      SriovPolicies: () => ({ sriovPolicies: [] }),
      CreateSriovPolicy: (v) => {
        const input = v['input'] as Record<string, unknown>;
        if (input['pfNamePattern'] === 'ens[1]')
          throw new GraphQLRequestError('pfNamePattern: pattern may contain only letters, digits ...', {
            code: 'BAD_USER_INPUT',
            field: 'pfNamePattern',
          });
        created = input;
        return { createSriovPolicy: { ...pool, name: String(input['name']) } };
      },
    });
    await settle();
    expect(screen.getByText(/No SR-IOV policies yet/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('sriov-name'), { target: { value: 'pool-a' } });
    fireEvent.change(screen.getByTestId('sriov-numVfs'), { target: { value: '12' } });
    fireEvent.change(screen.getByTestId('sriov-hostLabels'), { target: { value: 'rack=a, tier=gold' } });
    fireEvent.change(screen.getByTestId('sriov-pfNamePattern'), { target: { value: 'ens[1]' } });
    fireEvent.click(screen.getByTestId('sriov-trust'));
    fireEvent.change(screen.getByTestId('sriov-linkState'), { target: { value: 'enable' } });
    fireEvent.click(screen.getByTestId('sriov-submit'));
    await settle();
    expect(screen.getByTestId('error-field').textContent).toBe('pfNamePattern');

    fireEvent.change(screen.getByTestId('sriov-pfNamePattern'), { target: { value: 'ens1*' } });
    fireEvent.click(screen.getByTestId('sriov-submit'));
    await settle();
    expect(created).toEqual({
      name: 'pool-a',
      priority: 0,
      hostNamePattern: null,
      hostLabels: [
        { key: 'rack', value: 'a' },
        { key: 'tier', value: 'gold' },
      ],
      pfNamePattern: 'ens1*',
      driver: null,
      vendorId: null,
      deviceId: null,
      numVfs: 12,
      spoofchk: true,
      trust: true,
      linkState: 'enable',
      maxTxRateMbps: 0,
    });
    // the list is read again after the create
    expect(stub.calls.filter((c) => c.op === 'SriovPolicies').length).toBeGreaterThanOrEqual(2);
  });

  it('edits a policy (name fixed, the rest sent as the update) and deletes one after confirming', async () => {
    vi.useFakeTimers();
    const stub = mount({
      SriovPolicies: () => ({ sriovPolicies: [pool] }),
      UpdateSriovPolicy: (v) => ({ updateSriovPolicy: { ...pool, numVfs: (v['input'] as { numVfs: number }).numVfs } }),
      DeleteSriovPolicy: () => ({ deleteSriovPolicy: { name: 'pool-10g' } }),
    });
    await settle();
    fireEvent.click(screen.getByTestId('sriov-edit-pool-10g'));
    expect(screen.queryByTestId('sriov-name')).toBeNull();
    expect((screen.getByTestId('sriov-hostLabels') as HTMLInputElement).value).toBe('rack=a');
    fireEvent.change(screen.getByTestId('sriov-numVfs'), { target: { value: '8' } });
    fireEvent.click(screen.getByTestId('sriov-submit'));
    await settle();
    const upd = stub.calls.find((c) => c.op === 'UpdateSriovPolicy')!;
    expect(upd.variables['name']).toBe('pool-10g');
    expect(upd.variables['input']).toMatchObject({
      numVfs: 8,
      hostNamePattern: 'hv-*',
      vendorId: '8086',
      hostLabels: [{ key: 'rack', value: 'a' }],
    });
    expect(upd.variables['input']).not.toHaveProperty('name');

    fireEvent.click(screen.getByTestId('sriov-delete-pool-10g'));
    fireEvent.click(screen.getByTestId('sriov-delete-pool-10g-confirm'));
    await settle();
    expect(stub.calls.find((c) => c.op === 'DeleteSriovPolicy')?.variables).toEqual({ name: 'pool-10g' });
  });

  it('checks the shape of numbers and labels before sending', () => {
    expect(inputOf({ ...EMPTY_FORM, name: 'p', numVfs: 'x' })).toEqual({ error: 'numVfs must be a whole number' });
    expect(inputOf({ ...EMPTY_FORM, name: 'p', hostLabels: 'rack' })).toEqual({ error: 'label "rack" must look like key=value' });
  });
});
