import type { NicChannels } from '@netpin/contracts';
import { HostOutputParseError } from '../errors';
import { splitLines } from './lines';

/**
 * `ethtool -l DEV`:
 *   Channel parameters for ens1f0:
 *   Pre-set maximums:
 *   RX:		n/a
 *   ...
 *   Combined:	63
 *   Current hardware settings:
 *   ...
 * ethtool 5.x+ prints "n/a" for unsupported counts, older versions print 0; both read as 0.
 */
export function parseEthtoolChannels(text: string): NicChannels {
  const src = 'ethtool -l';
  const lines = splitLines(text);
  const max: Record<string, number> = {};
  const cur: Record<string, number> = {};
  let section: Record<string, number> | null = null;
  let sawHeader = false;
  lines.forEach((line, i) => {
    if (/^Channel parameters for \S+:$/.test(line)) {
      sawHeader = true;
      return;
    }
    if (line === 'Pre-set maximums:') {
      section = max;
      return;
    }
    if (line === 'Current hardware settings:') {
      section = cur;
      return;
    }
    if (line.trim() === '') return;
    const m = /^(RX|TX|Other|Combined):\s+(n\/a|\d+)$/.exec(line);
    if (!m || section === null) throw new HostOutputParseError(src, 'unexpected line', line, i + 1);
    section[m[1]] = m[2] === 'n/a' ? 0 : Number(m[2]);
  });
  if (!sawHeader || !('Combined' in max) || !('Combined' in cur)) {
    throw new HostOutputParseError(src, 'missing channel parameters', lines[0] ?? '');
  }
  return {
    maxCombined: max['Combined'],
    combined: cur['Combined'],
    maxRx: max['RX'] ?? 0,
    rx: cur['RX'] ?? 0,
    maxTx: max['TX'] ?? 0,
    tx: cur['TX'] ?? 0,
  };
}
