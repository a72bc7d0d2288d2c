import { describe, expect, it } from 'vitest';
import { utcTimestamp } from './sql-reader';

/** What the reader did before: an ISO string for Date's parser, read as UTC. */
const byDateParser = (v: string): Date => new Date(`${v.replace(' ', 'T')}Z`);

describe('utcTimestamp', () => {
  it('reads what PostgreSQL writes for a TIMESTAMP as Date would, as UTC', () => {
    const values = [
      '2026-12-05 11:31:50',
      '2026-12-05 11:31:50.1',
      '2026-12-05 11:31:50.12',
      '2026-12-05 11:31:50.123',
      '2026-12-05 11:31:50.1239',
      '2026-12-05 11:31:50.123999',
      '2024-02-29 23:59:59.999',
      '1970-01-01 00:00:00',
      '1969-12-31 23:59:59.5',
      '0100-01-01 00:00:00',
      '9999-12-31 23:59:59.999999',
    ];
    for (const v of values) expect(utcTimestamp(v).toISOString(), v).toBe(byDateParser(v).toISOString());
    expect(utcTimestamp('2026-12-05 11:31:50.12').getTime()).toBe(Date.UTC(2026, 11, 5, 11, 31, 50, 120));
  });

  it('leaves any other form to Date, as before', () => {
    for (const v of [
      '0044-03-15 12:00:00',
      '0001-01-01 00:00:00 BC',
      'infinity',
      '-infinity',
      '2026-12-05 11:31:5x',
      '2026-12-05 11:31:50.',
    ]) {
      const want = byDateParser(v);
      const got = utcTimestamp(v);
      expect(Number.isNaN(got.getTime()) ? 'Invalid Date' : got.toISOString(), v).toBe(
        Number.isNaN(want.getTime()) ? 'Invalid Date' : want.toISOString(),
      );
    }
  });

  it('agrees with Date over random instants and fraction lengths', () => {
    for (let i = 0; i < 2000; i++) {
      const t = new Date(Date.UTC(100, 0, 1) + Math.floor(Math.random() * (Date.UTC(9999, 11, 31) - Date.UTC(100, 0, 1))));
      const iso = t.toISOString();
      const v = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${'.' + iso.slice(20, 23) + String(i % 1000).padStart(3, '0')}`.slice(
        0,
        19 + (i % 8 === 1 ? 0 : i % 8),
      );
      expect(utcTimestamp(v).toISOString(), v).toBe(byDateParser(v).toISOString());
    }
  });
});
