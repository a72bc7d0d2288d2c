import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

/** Domain states as virsh prints them (virDomainState strings). */
export const VIRSH_DOMAIN_STATES = ['running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended', 'no state'] as const;
export type VirshDomainState = (typeof VIRSH_DOMAIN_STATES)[number];

function state(source: string, s: string, line: string, n: number): VirshDomainState {
  const found = VIRSH_DOMAIN_STATES.find((x) => x === s);
  if (found === undefined) throw new HostOutputParseError(source, `unknown domain state "${s}"`, line, n);
  return found;
}

/** `virsh domstate NAME`: one line with the state, then an empty line. */
export function parseVirshDomstate(text: string): VirshDomainState {
  const lines = splitLines(text).filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new HostOutputParseError('virsh domstate', 'expected one state line', lines[1] ?? '');
  return state('virsh domstate', lines[0].trim(), lines[0], 1);
}

export interface VirshListEntry {
  /** null for inactive domains ("-"). */
  id: number | null;
  name: string;
  state: VirshDomainState;
}

/**
 * `virsh list --all`:
 *    Id   Name   State
 *   ----------------------
 *    1    web1   running
 *    -    db1    shut off
 */
export function parseVirshList(text: string): VirshListEntry[] {
  const src = 'virsh list';
  const lines = splitLines(text);
  const head = lines.findIndex((l) => /^\s*Id\s+Name\s+State\s*$/.test(l));
  if (head < 0 || !/^-+$/.test((lines[head + 1] ?? '').trim())) {
    throw new HostOutputParseError(src, 'missing table header', lines[0] ?? '', 1);
  }
  const out: VirshListEntry[] = [];
  for (let i = head + 2; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const m = /^\s*(\d+|-)\s+(\S+)\s+(\S.*?)\s*$/.exec(line);
    if (!m) throw new HostOutputParseError(src, 'unexpected row', line, i + 1);
    out.push({ id: m[1] === '-' ? null : Number(m[1]), name: m[2], state: state(src, m[3], line, i + 1) });
  }
  return out;
}

/**
 * The state `virsh list --all` gives the domain `name`, or null when it lists no such
 * domain. Only that row is read: another domain's name may hold blanks (libvirt allows
 * them), which the table's columns cannot tell apart, so other rows are not parsed.
 */
export function parseVirshListState(text: string, name: string): VirshDomainState | null {
  const src = 'virsh list';
  const lines = splitLines(text);
  const head = lines.findIndex((l) => /^\s*Id\s+Name\s+State\s*$/.test(l));
  if (head < 0 || !/^-+$/.test((lines[head + 1] ?? '').trim())) {
    throw new HostOutputParseError(src, 'missing table header', lines[0] ?? '', 1);
  }
  let odd: number | null = null;
  for (let i = head + 2; i < lines.length; i++) {
    const m = /^\s*(?:\d+|-)\s+(.*?)\s*$/.exec(lines[i]);
    const rest = m?.[1] ?? '';
    if (!rest.startsWith(name) || !/^\s/.test(rest.slice(name.length))) continue;
    const s = rest.slice(name.length).trim();
    if ((VIRSH_DOMAIN_STATES as readonly string[]).includes(s)) return s as VirshDomainState;
    // a longer name that starts with ours and a blank ("web-01 old"), or our row with a state this parser does not know
    odd ??= i;
  }
  if (odd !== null) return state(src, lines[odd].trim().split(/\s+/).pop() ?? '', lines[odd], odd + 1);
  return null;
}

/** `virsh list --all --name`: one name per line, then an empty line. */
export function parseVirshListNames(text: string): string[] {
  return splitLines(text)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
