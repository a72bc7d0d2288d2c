import { describe, expect, it } from 'vitest';
import { NetpinApiError } from './errors';
import { whenAvailable } from './fleet-setup';

const unavailable = () =>
  new NetpinApiError('the database is busy', { code: 'UNAVAILABLE', status: 503, details: { retryable: true, retryAfterSeconds: 0.01 } });

describe('whenAvailable', () => {
  it('sends again after UNAVAILABLE, waiting what the API asked for', async () => {
    let calls = 0;
    const t0 = Date.now();
    const r = await whenAvailable(async () => {
      calls++;
      if (calls < 3) throw unavailable();
      return 'done';
    });
    expect([r, calls]).toEqual(['done', 3]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(20);
  });

  it('does not resend other errors', async () => {
    let calls = 0;
    const conflict = new NetpinApiError('exists', { code: 'CONFLICT', status: 409 });
    await expect(
      whenAvailable(async () => {
        calls++;
        throw conflict;
      }),
    ).rejects.toBe(conflict);
    expect(calls).toBe(1);
  });

  it('gives up after the attempts with the last UNAVAILABLE', async () => {
    let calls = 0;
    await expect(
      whenAvailable(async () => {
        calls++;
        throw unavailable();
      }, 3),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(calls).toBe(3);
  });
});
