import { describe, expect, it } from 'vitest';
import { VF_DRIVER_CAPABILITIES, VF_KNOBS, vfDriverCapabilities, vfKnobRefusal } from './vf-drivers';

describe('VF knobs per PF driver', () => {
  it('covers the common SR-IOV drivers, every knob of each with a kernel source', () => {
    expect(Object.keys(VF_DRIVER_CAPABILITIES).sort()).toEqual(['bnxt_en', 'i40e', 'ice', 'igb', 'ixgbe', 'mlx5_core']);
    for (const [driver, caps] of Object.entries(VF_DRIVER_CAPABILITIES)) {
      expect(caps.doc, driver).toMatch(/^https:\/\/docs\.kernel\.org\//);
      expect(Object.keys(caps.knobs).sort(), driver).toEqual([...VF_KNOBS].sort());
      for (const k of VF_KNOBS)
        expect(caps.knobs[k].source, `${driver} ${k}`).toMatch(/^https:\/\/github\.com\/torvalds\/linux\/blob\/master\/drivers\//);
    }
  });

  it('ixgbe, i40e and igb refuse a minimum rate with EINVAL; ice, mlx5 and bnxt take one', () => {
    for (const d of ['ixgbe', 'i40e', 'igb']) expect(vfKnobRefusal(d, 'minTxRate')?.errno, d).toBe('EINVAL');
    for (const d of ['ice', 'mlx5_core', 'bnxt_en']) expect(vfKnobRefusal(d, 'minTxRate'), d).toBeNull();
  });

  it('knobs a driver has no ndo for answer EOPNOTSUPP; 802.1ad is EPROTONOSUPPORT', () => {
    expect(vfKnobRefusal('igb', 'linkState')?.errno).toBe('EOPNOTSUPP');
    expect(vfKnobRefusal('i40e', 'queryRss')?.errno).toBe('EOPNOTSUPP');
    expect(vfKnobRefusal('ixgbe', 'queryRss')).toBeNull();
    expect(vfKnobRefusal('mlx5_core', 'vlanProto8021ad')?.errno).toBe('EPROTONOSUPPORT');
  });

  it('an unknown or missing driver is not known to refuse anything', () => {
    expect(vfDriverCapabilities('tg3')).toBeNull();
    expect(vfDriverCapabilities('constructor')).toBeNull();
    for (const k of VF_KNOBS) expect(vfKnobRefusal(null, k)).toBeNull();
  });
});
