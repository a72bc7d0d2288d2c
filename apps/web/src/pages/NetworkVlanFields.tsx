import type { CreateNetworkInput } from '@netpin/client/operations';

/** The VLAN protocol, trunk and MTU fields of the new-network form, as typed. */
export interface VlanExtra {
  protocol: 'DOT1Q' | 'DOT1AD';
  trunk: string;
  native: string;
  nativeTagged: boolean;
  mtu: string;
}
export const NO_VLAN_EXTRA: VlanExtra = { protocol: 'DOT1Q', trunk: '', native: '', nativeTagged: false, mtu: '' };

const vlanId = (s: string, min: number) => /^\d+$/.test(s) && Number(s) >= min && Number(s) <= 4094;

/**
 * What the fields add to the input, or the first problem with them (checked before sending, as
 * the API would refuse them naming the same field): trunk VLANs 1-4094, a native VLAN only with a
 * trunk, 802.1ad only on an access VLAN, an MTU of 68-65535.
 */
export function vlanExtraInput(x: VlanExtra, vlan: string): { input: Partial<CreateNetworkInput>; error: string | null } {
  const trunk = x.trunk.trim() === '' ? [] : x.trunk.split(',').map((s) => s.trim());
  if (trunk.some((s) => !vlanId(s, 1))) return { input: {}, error: 'Trunk VLANs must be 1-4094, separated by commas' };
  if (trunk.length > 0 && vlan.trim() !== '') return { input: {}, error: 'A trunk has no access VLAN: leave VLAN empty' };
  if (x.native.trim() !== '' && (trunk.length === 0 || !vlanId(x.native.trim(), 1)))
    return { input: {}, error: 'The native VLAN (1-4094) needs trunk VLANs' };
  if (x.protocol === 'DOT1AD' && vlan.trim() === '') return { input: {}, error: '802.1ad needs an access VLAN' };
  const mtu = x.mtu.trim();
  if (mtu !== '' && !(/^\d+$/.test(mtu) && Number(mtu) >= 68 && Number(mtu) <= 65535)) return { input: {}, error: 'MTU must be 68-65535' };
  const input: Partial<CreateNetworkInput> = {};
  if (x.protocol === 'DOT1AD') input.vlanProtocol = 'DOT1AD';
  if (trunk.length > 0) input.trunkVlans = trunk.map(Number);
  if (x.native.trim() !== '') {
    input.nativeVlan = Number(x.native.trim());
    if (x.nativeTagged) input.nativeVlanMode = 'TAGGED';
  }
  if (mtu !== '') input.mtu = Number(mtu);
  return { input, error: null };
}

export function VlanFields({ value, onChange }: { value: VlanExtra; onChange: (v: VlanExtra) => void }) {
  const set = (patch: Partial<VlanExtra>) => onChange({ ...value, ...patch });
  return (
    <>
      <label>
        VLAN protocol
        <select
          value={value.protocol}
          onChange={(e) => set({ protocol: e.target.value as VlanExtra['protocol'] })}
          data-testid="network-vlan-protocol"
        >
          <option value="DOT1Q">802.1Q</option>
          <option value="DOT1AD">802.1ad (QinQ, VFs only)</option>
        </select>
      </label>
      <label>
        Trunk VLANs
        <input value={value.trunk} onChange={(e) => set({ trunk: e.target.value })} placeholder="100,200" data-testid="network-trunk" />
      </label>
      <label>
        Native VLAN
        <input
          value={value.native}
          onChange={(e) => set({ native: e.target.value })}
          inputMode="numeric"
          data-testid="network-native-vlan"
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={value.nativeTagged}
          onChange={(e) => set({ nativeTagged: e.target.checked })}
          data-testid="network-native-tagged"
        />
        native tagged
      </label>
      <label>
        MTU
        <input
          value={value.mtu}
          onChange={(e) => set({ mtu: e.target.value })}
          inputMode="numeric"
          placeholder="1500"
          data-testid="network-mtu"
        />
      </label>
    </>
  );
}
