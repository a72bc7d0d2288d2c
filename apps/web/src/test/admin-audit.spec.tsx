import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { ClientContext } from '../lib/hooks';
import { actionLabel, targetLabel, type AuditRow } from '../pages/admin/audit-format';
import { stubClient, type Handler } from './fixtures';

const event = (id: string, extra: Partial<AuditRow> = {}): AuditRow => ({
  id,
  at: '2026-01-01T10:00:00Z',
  tokenId: 'tok-1',
  actor: 'ci',
  action: 'graphql:deleteVm',
  targetType: 'resource',
  targetId: '0b5e7c1a-0000-4000-8000-000000000001',
  targetKind: 'vm',
  targetName: 'web-1',
  inputJson: '{"id":"0b5e7c1a-0000-4000-8000-000000000009"}',
  result: 'ok',
  count: 1,
  address: null,
  requestId: 'req-1',
  ...extra,
});

function mount(hash: string, handlers: Record<string, Handler>) {
  window.location.hash = hash;
  const stub = stubClient(handlers);
  render(
    <ClientContext.Provider value={stub.client}>
      <App />
    </ClientContext.Provider>,
  );
  return stub;
}

async function settle(ms = 50) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const tokens = () => ({
  apiTokens: [{ id: 'tok-1', name: 'ci', role: 'ADMIN', prefix: 'a', createdBy: null, createdAt: '', lastUsedAt: null, revokedAt: null }],
});

describe('audit log page', () => {
  it('names targets instead of ids, links hosts and the token, shows failures by code', async () => {
    vi.useFakeTimers();
    mount('#/admin/audit', {
      ApiTokens: tokens,
      AuditEvents: () => ({
        auditEvents: [
          event('e1'),
          event('e2', { action: 'POST /api/v1/hosts/:id/discover', targetKind: 'host', targetName: 'hv-a' }),
          event('e3', { action: 'graphql:removeHost', targetKind: null, targetName: null, inputJson: '{"id":"x"}', result: 'CONFLICT' }),
          event('e5', {
            action: 'refused',
            tokenId: null,
            actor: 'anonymous',
            targetId: null,
            targetKind: null,
            targetName: null,
            result: 'UNAUTHENTICATED',
            count: 43,
            address: '10.0.0.9',
          }),
          event('e4', {
            action: 'graphql:createNetwork',
            targetId: null,
            targetKind: null,
            targetName: null,
            inputJson: '{"input":{"name":"n1"}}',
            result: 'BAD_USER_INPUT',
          }),
        ],
      }),
    });
    await settle();
    const rows = screen.getAllByTestId('audit-row');
    expect(rows.map((r) => within(r).getByTestId('audit-target').textContent)).toEqual(['VM web-1', 'host hv-a', '0b5e7c1a…', '—', 'n1']);
    // refusals are one row per caller, code and minute, with their count
    expect(rows[3]!.textContent).toContain('anonymousfrom 10.0.0.9');
    expect(within(rows[3]!).getByTestId('audit-count').textContent).toBe(' × 43 in that minute');
    expect(within(rows[0]!).queryByTestId('audit-count')).toBeNull();
    expect(within(rows[1]!).getByRole('link', { name: 'host hv-a' }).getAttribute('href')).toBe('#/hosts/hv-a');
    expect(within(rows[0]!).getByRole('link', { name: 'ci' }).getAttribute('href')).toBe('#/admin/audit/tok-1');
    expect(rows[1]!.textContent).toContain('POST /api/v1/hosts/:id/discover REST');
    expect(within(rows[2]!).getByText('CONFLICT').className).toContain('state-failed');
  });

  it('filters by action (debounced) and by token, starting from the token in the address', async () => {
    vi.useFakeTimers();
    const stub = mount('#/admin/audit/tok-1', { ApiTokens: tokens, AuditEvents: () => ({ auditEvents: [] }) });
    await settle();
    expect(stub.calls.filter((c) => c.op === 'AuditEvents').at(-1)?.variables).toEqual({ action: null, tokenId: 'tok-1', first: 100 });
    expect(screen.getByText('No recorded action matches.')).toBeTruthy();
    fireEvent.change(screen.getByTestId('audit-action'), { target: { value: 'Vm ' } });
    fireEvent.change(screen.getByTestId('audit-token'), { target: { value: '' } });
    await settle(400);
    expect(stub.calls.filter((c) => c.op === 'AuditEvents').at(-1)?.variables).toEqual({ action: 'Vm', tokenId: null, first: 100 });
  });

  it('labels actions and falls back to the input name, then the short id', () => {
    expect(actionLabel('graphql:createVm')).toEqual({ name: 'createVm', via: 'GraphQL' });
    expect(actionLabel('DELETE /api/v1/vms/:id')).toEqual({ name: 'DELETE /api/v1/vms/:id', via: 'REST' });
    expect(actionLabel('refused')).toEqual({ name: 'refused', via: 'any transport' });
    const none = { targetKind: null, targetName: null, targetId: null };
    expect(targetLabel({ ...none, inputJson: '{"body":{"name":"n2"}}' })).toBe('n2');
    expect(targetLabel({ ...none, inputJson: 'not json' })).toBe('—');
    expect(targetLabel({ targetKind: 'sriovPolicy', targetName: 'pool', targetId: 'p', inputJson: '{}' })).toBe('SR-IOV policy pool');
  });
});
