/** Misbehaviour a test can ask a simulated host for. */
export interface FailRule {
  /** Matched against the raw exec string and against its words joined by spaces. */
  pattern: string | RegExp;
  exitCode: number;
  stderr: string;
  stdout?: string;
  /** How many matching commands fail; unlimited when absent. */
  times?: number;
  /** Let this many matching commands through first (a failure at the Nth use of a command). */
  skip?: number;
}

export interface FaultConfig {
  /** Added before every command is answered. */
  latencyMs?: number;
  /**
   * Answer this many more commands, then drop the TCP connection (without a reply) on
   * the next exec. One-shot: cleared when it fires.
   */
  dropAfterCommands?: number;
  failCommands?: FailRule[];
}

export function matchesRule(rule: FailRule, raw: string, words: string): boolean {
  if (typeof rule.pattern === 'string') return raw.includes(rule.pattern) || words.includes(rule.pattern);
  return rule.pattern.test(raw) || rule.pattern.test(words);
}

/** mulberry32: a tiny seeded PRNG so irqbalance drift is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
