import { BadRequestException, HttpException } from '@nestjs/common';
import { BadUserInputError, ConflictError, DomainError, FailedPreconditionError, NotFoundError, UnavailableError } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { mapError, toGraphQLError, withoutKeyMaterial } from './error-mapper';

describe('the one error mapper', () => {
  it('gives each domain error its HTTP status and GraphQL code, with the field', () => {
    expect(mapError(BadUserInputError.of('port', 'too big'))).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
      details: { field: 'port' },
    });
    expect(mapError(new NotFoundError('host', 'x')).status).toBe(404);
    expect(mapError(new ConflictError('dup')).status).toBe(409);
    expect(mapError(new FailedPreconditionError('no master key'))).toMatchObject({ status: 409, code: 'FAILED_PRECONDITION' });
    expect(mapError(new HttpException('taken', 409)).code).toBe('CONFLICT');
    expect(mapError(new DomainError('PLACEMENT_REJECTED', 'no')).status).toBe(422);
    expect(mapError(new UnavailableError('busy'))).toMatchObject({ status: 503, code: 'UNAVAILABLE', details: { retryable: true } });
    expect(toGraphQLError(BadUserInputError.of('vlan', 'bad')).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'vlan' });
  });
  it('keeps client errors of the HTTP layer 4xx and hides everything else behind a 500', () => {
    expect(mapError(new BadRequestException('bad json')).status).toBe(400);
    expect(mapError(Object.assign(new Error('too large'), { status: 413 })).status).toBe(413);
    const hidden = mapError(new Error('secret detail from the database'));
    expect(hidden).toEqual({ status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'internal error', details: {} });
  });
  it('never echoes key material quoted by an error text', () => {
    const quoted =
      'Variable "$input" got invalid value { name: "k", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl" }; Field "x" is not defined by type "CreateSshSecretInput".';
    const m = withoutKeyMaterial(quoted);
    expect(m).not.toMatch(/PRIVATE KEY|b3Bl/);
    expect(m).toContain('Field "x" is not defined');
    expect(
      mapError(Object.assign(new Error('Unexpected token, "-----BEGIN OPENSSH PRIVATE KEY" is not valid JSON'), { status: 400 })).message,
    ).not.toContain('PRIVATE KEY');
    expect(withoutKeyMaterial('port: too big')).toBe('port: too big');
  });
});
