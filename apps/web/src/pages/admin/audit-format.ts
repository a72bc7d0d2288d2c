import type { AuditEventsQuery } from '@netpin/client/operations';

export type AuditRow = AuditEventsQuery['auditEvents'][number];

/**
 * "graphql:createVm" -> createVm over GraphQL; "POST /vms/:id" -> the route over REST; "refused" ->
 * requests a guard turned away (no token, too low a role, rate limit), on any transport.
 */
export function actionLabel(action: string): { name: string; via: 'GraphQL' | 'REST' | 'any transport' } {
  if (action === 'refused') return { name: 'refused', via: 'any transport' };
  return action.startsWith('graphql:') ? { name: action.slice('graphql:'.length), via: 'GraphQL' } : { name: action, via: 'REST' };
}

const KIND_WORDS: Record<string, string> = {
  vm: 'VM',
  host: 'host',
  network: 'network',
  token: 'token',
  sshSecret: 'SSH secret',
  sriovPolicy: 'SR-IOV policy',
};

/**
 * What the action touched, by name. A target nothing holds any more (a removed host) falls
 * back to the name in the input, then to the first 8 characters of its id.
 */
export function targetLabel(e: Pick<AuditRow, 'targetKind' | 'targetName' | 'targetId' | 'inputJson'>): string {
  if (e.targetName) return `${KIND_WORDS[e.targetKind ?? ''] ?? e.targetKind ?? ''} ${e.targetName}`.trim();
  const named = inputName(e.inputJson);
  if (named) return named;
  return e.targetId ? `${e.targetId.slice(0, 8)}…` : '—';
}

function inputName(json: string): string | null {
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as { name?: unknown; input?: { name?: unknown }; body?: { name?: unknown } };
    const name = o.input?.name ?? o.body?.name ?? o.name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}
