import { ConflictError, NotFoundError, UnavailableError } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { DatabaseError } from 'pg';
import { Prisma } from './generated/prisma/client';
import { mapPrismaError, transientDbError, uniqueConstraintOf } from './prisma-errors';

function known(code: string, meta: Record<string, unknown>): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError('boom', { code, clientVersion: 'test', meta });
}

describe('Prisma errors become domain errors', () => {
  it('reads the violated constraint where the pg adapter puts it', () => {
    const e = known('P2002', { driverAdapterError: { cause: { constraint: { index: 'Host_name_key' } } } });
    expect(uniqueConstraintOf(e)).toBe('Host_name_key');
    expect(() => mapPrismaError(e, 'host', 'kvm-01')).toThrow(ConflictError);
  });
  it("reads a raw statement's unique violation (P2010, e.g. inside a SQL function) like a Prisma call's", () => {
    const cause = { kind: 'UniqueConstraintViolation', constraint: { index: 'Vm_activeName_key' }, originalCode: '23505' };
    const e = known('P2010', { driverAdapterError: { cause } });
    expect(uniqueConstraintOf(e)).toBe('Vm_activeName_key');
    expect(() => mapPrismaError(e, 'vm', 'a')).toThrow(ConflictError);
    expect(uniqueConstraintOf(known('P2010', { driverAdapterError: { cause: { kind: 'ForeignKeyConstraintViolation' } } }))).toBeNull();
    expect(transientDbError(known('P2010', { driverAdapterError: { cause: { kind: 'TransactionWriteConflict' } } }))).toBeInstanceOf(
      UnavailableError,
    );
    expect(transientDbError(e)).toBeNull();
  });
  it('maps a missing row to NOT_FOUND and lets anything else through unchanged', () => {
    expect(() => mapPrismaError(known('P2025', {}), 'host', 'x')).toThrow(NotFoundError);
    const other = new Error('connection reset');
    expect(() => mapPrismaError(other, 'host', 'x')).toThrow(other);
    expect(uniqueConstraintOf(other)).toBeNull();
  });
  it('turns a busy database (no connection or transaction in time, a deadlock victim) into the retryable UNAVAILABLE', () => {
    for (const code of ['P2024', 'P2028', 'P2034']) {
      const e = transientDbError(known(code, {}));
      expect(e).toBeInstanceOf(UnavailableError);
      expect(e?.details).toEqual({ retryable: true, retryAfterSeconds: 1 });
    }
    expect(transientDbError(known('P2002', {}))).toBeNull();
    expect(transientDbError(new Error('Unable to start a transaction in the given time.'))).toBeNull();
  });

  it('reads the same errors from a statement run through plain pg (SqlReader): SQLSTATE and constraint', () => {
    const pgError = (code: string, constraint?: string): DatabaseError =>
      Object.assign(new DatabaseError('boom', 0, 'error'), { code, constraint });
    const unique = pgError('23505', 'Host_name_key');
    expect(uniqueConstraintOf(unique)).toBe('Host_name_key');
    expect(() => mapPrismaError(unique, 'host', 'kvm-01')).toThrow(ConflictError);
    expect(() => mapPrismaError(unique, 'host', 'kvm-01')).toThrow('host kvm-01 already exists');
    const fk = pgError('23503', 'Cpu_hostId_fkey');
    expect(uniqueConstraintOf(fk)).toBeNull();
    expect(() => mapPrismaError(fk, 'host', 'x')).toThrow(fk);
    for (const code of ['40001', '40P01']) expect(transientDbError(pgError(code))).toBeInstanceOf(UnavailableError);
    expect(transientDbError(unique)).toBeNull();
  });
});
