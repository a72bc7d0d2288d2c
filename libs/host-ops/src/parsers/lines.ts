import { HostOutputParseError } from '../errors';

/** Split command output into lines, dropping the single trailing newline the tools print. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function parseUint(source: string, token: string, line = token, lineNumber = 0): number {
  if (!/^\d+$/.test(token)) throw new HostOutputParseError(source, `expected a non-negative integer, got "${token}"`, line, lineNumber);
  const n = Number(token);
  if (!Number.isSafeInteger(n)) throw new HostOutputParseError(source, `integer out of range "${token}"`, line, lineNumber);
  return n;
}

/** A one-value file such as sriov_numvfs or nr_hugepages. */
export function parseUintFile(source: string, text: string): number {
  const t = text.trim();
  return parseUint(source, t, t, 1);
}

/** A signed one-value file such as numa_node (-1 = no NUMA information). */
export function parseIntFile(source: string, text: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new HostOutputParseError(source, 'expected an integer', t, 1);
  return Number(t);
}
