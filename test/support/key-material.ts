import { expect } from 'vitest';

/**
 * Every way a private key could leak into text: its PEM markers, and any 40-character
 * piece of its base64 body (a log line or response that quoted part of the key).
 */
export function expectNoKeyMaterial(texts: string[], keyPem: string): void {
  const body = keyPem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
  expect(body.length).toBeGreaterThan(100);
  const everything = texts.join('\n');
  expect(everything).not.toMatch(/PRIVATE KEY/);
  const leaked: string[] = [];
  for (let i = 0; i + 40 <= body.length; i += 40) if (everything.includes(body.slice(i, i + 40))) leaked.push(body.slice(i, i + 40));
  expect(leaked).toEqual([]);
}
