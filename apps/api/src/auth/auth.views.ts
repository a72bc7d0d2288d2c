import type { AuditEventRecord, AuditTarget } from '@netpin/db';
import type { AuditEvent } from './auth.model';

export function toAuditView(e: AuditEventRecord, target: AuditTarget | undefined): AuditEvent {
  return { ...e, inputJson: JSON.stringify(e.input ?? {}), targetKind: target?.kind ?? null, targetName: target?.name ?? null };
}
