import type { AuditEventRecord } from '@netpin/db';
import type { AuditEvent } from './auth.model';

export function toAuditView(e: AuditEventRecord): AuditEvent {
  return { ...e, inputJson: JSON.stringify(e.input ?? {}) };
}
