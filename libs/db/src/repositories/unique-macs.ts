import { ConflictError } from '@netpin/contracts';

/** Draw number n (1, 2, ...) of a generated MAC for interface `index`; null when the request named the MAC. */
export type FreshMac = (index: number, n: number) => string | null;

/** Redraws of a generated MAC before giving up (each clash has odds of about live/2^24). */
const MAC_DRAWS = 16;

/**
 * Generated MACs are a 24-bit hash: past a few thousand VMs two will meet. Run under the
 * placement lock (no other create runs), so checking live interfaces is exact: a generated
 * MAC that clashes (with a live VM or another interface of this VM) is drawn again and the
 * plan updated before anything is written or sent; a requested one is a CONFLICT naming
 * the field.
 */
export async function assignUniqueMacs(
  interfaces: { index: number; mac: string }[],
  freshMac: FreshMac | undefined,
  liveMacs: (macs: string[]) => Promise<Set<string>>,
): Promise<void> {
  const used = await liveMacs(interfaces.map((i) => i.mac));
  const mine = new Set<string>();
  for (const [k, iface] of interfaces.entries()) {
    let mac = iface.mac;
    for (let n = 1; used.has(mac) || mine.has(mac); n++) {
      const next = n <= MAC_DRAWS ? (freshMac?.(iface.index, n) ?? null) : null;
      if (next === null) throw new ConflictError(`MAC ${mac} is already used by a live VM`, { field: `interfaces.${k}.mac` });
      mac = next;
      if ((await liveMacs([mac])).has(mac)) used.add(mac);
    }
    mine.add(mac);
    iface.mac = mac;
  }
}
