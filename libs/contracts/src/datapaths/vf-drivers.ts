/**
 * What each SR-IOV PF driver lets the host set on its VFs (`ip link set PF vf N …`), read
 * from the upstream Linux drivers: placement refuses an interface that needs a knob the
 * PF's driver refuses (reason VF_DRIVER_LACKS_MIN_TX_RATE), and hostsim refuses the same
 * commands with the same errno. One table, so the two cannot disagree (docs/datapaths.md,
 * "VF knobs per PF driver").
 *
 * The kernel's rtnetlink answers EOPNOTSUPP for a knob whose ndo_set_vf_* the driver does
 * not implement; a driver that implements it may still refuse some values (EINVAL,
 * EPROTONOSUPPORT). A driver missing from the table is not known to refuse anything.
 */
export const VF_KNOBS = ['minTxRate', 'maxTxRate', 'trust', 'spoofchk', 'linkState', 'vlanProto8021ad', 'queryRss'] as const;
export type VfKnob = (typeof VF_KNOBS)[number];

/** The `ip link set … vf N` keyword of each knob. */
export const VF_KNOB_KEYWORDS: Readonly<Record<VfKnob, string>> = {
  minTxRate: 'min_tx_rate',
  maxTxRate: 'max_tx_rate',
  trust: 'trust',
  spoofchk: 'spoofchk',
  linkState: 'state',
  vlanProto8021ad: 'vlan … proto 802.1ad',
  queryRss: 'query_rss',
};

export type VfKnobErrno = 'EINVAL' | 'EOPNOTSUPP' | 'EPROTONOSUPPORT';

/**
 * `yes`: the driver implements it. `no`: the driver refuses it with `errno` (for minTxRate:
 * any non-zero rate). `depends`: implemented, but only on some hardware or firmware
 * (`when`); netpin does not refuse it in advance.
 */
export type VfKnobSupport =
  | { readonly support: 'yes'; readonly source: string }
  | { readonly support: 'no'; readonly errno: VfKnobErrno; readonly source: string }
  | { readonly support: 'depends'; readonly when: string; readonly source: string };

export interface VfDriverCapabilities {
  /** The driver's documentation (or source directory) in the kernel tree. */
  readonly doc: string;
  readonly knobs: Readonly<Record<VfKnob, VfKnobSupport>>;
}

const TREE = 'https://github.com/torvalds/linux/blob/master/drivers/net/ethernet';
const DOCS = 'https://docs.kernel.org/networking/device_drivers/ethernet';
const yes = (source: string): VfKnobSupport => ({ support: 'yes', source });
const no = (errno: VfKnobErrno, source: string): VfKnobSupport => ({ support: 'no', errno, source });
const depends = (when: string, source: string): VfKnobSupport => ({ support: 'depends', when, source });
const noNdo = (ndo: string, ops: string): VfKnobSupport => no('EOPNOTSUPP', `${ops}: no ${ndo} (rtnetlink answers EOPNOTSUPP)`);

const IXGBE = `${TREE}/intel/ixgbe/ixgbe_sriov.c`;
const I40E = `${TREE}/intel/i40e/i40e_virtchnl_pf.c`;
const ICE = `${TREE}/intel/ice/ice_sriov.c`;
const MLX5 = `${TREE}/mellanox/mlx5/core/en_main.c`;
const IGB = `${TREE}/intel/igb/igb_main.c`;
const BNXT = `${TREE}/broadcom/bnxt/bnxt_sriov.c`;

export const VF_DRIVER_CAPABILITIES = {
  ixgbe: {
    doc: `${DOCS}/intel/ixgbe.html`,
    knobs: {
      minTxRate: no('EINVAL', `${IXGBE} ixgbe_ndo_set_vf_bw: "if (min_tx_rate) return -EINVAL"`),
      maxTxRate: depends('the link is up at 10 Gb/s and the rate is above 10 Mb/s', `${IXGBE} ixgbe_ndo_set_vf_bw`),
      trust: yes(`${IXGBE} ixgbe_ndo_set_vf_trust`),
      spoofchk: yes(`${IXGBE} ixgbe_ndo_set_vf_spoofchk`),
      linkState: depends('kernels with ixgbe_ndo_set_vf_link_state (added 2024); older ones answer EOPNOTSUPP', `${IXGBE}`),
      vlanProto8021ad: no('EPROTONOSUPPORT', `${IXGBE} ixgbe_ndo_set_vf_vlan: only ETH_P_8021Q`),
      queryRss: yes(`${IXGBE} ixgbe_ndo_set_vf_rss_query_en (82599 and X540 VFs)`),
    },
  },
  i40e: {
    doc: `${DOCS}/intel/i40e.html`,
    knobs: {
      minTxRate: no('EINVAL', `${I40E} i40e_ndo_set_vf_bw: "Invalid min tx rate (%d) (greater than 0) specified for VF"`),
      maxTxRate: yes(`${I40E} i40e_ndo_set_vf_bw`),
      trust: yes(`${I40E} i40e_ndo_set_vf_trust`),
      spoofchk: yes(`${I40E} i40e_ndo_set_vf_spoofchk`),
      linkState: yes(`${I40E} i40e_ndo_set_vf_link_state`),
      vlanProto8021ad: no('EPROTONOSUPPORT', `${I40E} i40e_ndo_set_vf_port_vlan: only ETH_P_8021Q`),
      queryRss: noNdo('ndo_set_vf_rss_query_en', `${TREE}/intel/i40e/i40e_main.c i40e_netdev_ops`),
    },
  },
  ice: {
    doc: `${DOCS}/intel/ice.html`,
    knobs: {
      minTxRate: depends("DCB is off on the PF and the VFs' minimums stay within the link speed", `${ICE} ice_set_vf_bw`),
      maxTxRate: yes(`${ICE} ice_set_vf_bw`),
      trust: yes(`${ICE} ice_set_vf_trust`),
      spoofchk: yes(`${ICE} ice_set_vf_spoofchk`),
      linkState: yes(`${ICE} ice_set_vf_link_state`),
      vlanProto8021ad: depends('double VLAN mode (DVM) is enabled', `${ICE} ice_set_vf_port_vlan (ice_is_supported_port_vlan_proto)`),
      queryRss: noNdo('ndo_set_vf_rss_query_en', `${TREE}/intel/ice/ice_main.c ice_netdev_ops`),
    },
  },
  mlx5_core: {
    doc: `${DOCS}/mellanox/mlx5/index.html`,
    knobs: {
      minTxRate: yes(`${MLX5} mlx5e_set_vf_rate (E-Switch vport min rate)`),
      maxTxRate: yes(`${MLX5} mlx5e_set_vf_rate`),
      trust: yes(`${MLX5} mlx5e_set_vf_trust`),
      spoofchk: yes(`${MLX5} mlx5e_set_vf_spoofchk`),
      linkState: yes(`${MLX5} mlx5e_set_vf_link_state`),
      vlanProto8021ad: no('EPROTONOSUPPORT', `${MLX5} mlx5e_set_vf_vlan: "if (vlan_proto != htons(ETH_P_8021Q)) return -EPROTONOSUPPORT"`),
      queryRss: noNdo('ndo_set_vf_rss_query_en', `${MLX5} mlx5e_netdev_ops`),
    },
  },
  igb: {
    doc: `${DOCS}/intel/igb.html`,
    knobs: {
      minTxRate: no('EINVAL', `${IGB} igb_ndo_set_vf_bw: "if (min_tx_rate) return -EINVAL"`),
      maxTxRate: depends('an 82576 (other igb parts answer EOPNOTSUPP) with the link up', `${IGB} igb_ndo_set_vf_bw`),
      trust: yes(`${IGB} igb_ndo_set_vf_trust`),
      spoofchk: yes(`${IGB} igb_ndo_set_vf_spoofchk`),
      linkState: noNdo('ndo_set_vf_link_state', `${IGB} igb_netdev_ops`),
      vlanProto8021ad: no('EPROTONOSUPPORT', `${IGB} igb_ndo_set_vf_vlan: only ETH_P_8021Q`),
      queryRss: noNdo('ndo_set_vf_rss_query_en', `${IGB} igb_netdev_ops`),
    },
  },
  bnxt_en: {
    doc: `${DOCS}/broadcom/bnxt.html`,
    knobs: {
      minTxRate: yes(`${BNXT} bnxt_set_vf_bw`),
      maxTxRate: yes(`${BNXT} bnxt_set_vf_bw`),
      trust: yes(`${BNXT} bnxt_set_vf_trust`),
      spoofchk: yes(`${BNXT} bnxt_set_vf_spoofchk`),
      linkState: yes(`${BNXT} bnxt_set_vf_link_state`),
      vlanProto8021ad: depends('firmware with BNXT_FW_CAP_DFLT_VLAN_TPID_PCP', `${BNXT} bnxt_set_vf_vlan`),
      queryRss: noNdo('ndo_set_vf_rss_query_en', `${TREE}/broadcom/bnxt/bnxt.c bnxt_netdev_ops`),
    },
  },
} as const satisfies Readonly<Record<string, VfDriverCapabilities>>;

export type KnownVfDriver = keyof typeof VF_DRIVER_CAPABILITIES;

function isKnownVfDriver(driver: string): driver is KnownVfDriver {
  return Object.hasOwn(VF_DRIVER_CAPABILITIES, driver);
}

export function vfDriverCapabilities(driver: string | null): VfDriverCapabilities | null {
  return driver !== null && isKnownVfDriver(driver) ? VF_DRIVER_CAPABILITIES[driver] : null;
}

/** The errno `driver` answers for `knob`, or null when it is not known to refuse it. */
export function vfKnobRefusal(driver: string | null, knob: VfKnob): { errno: VfKnobErrno; source: string } | null {
  const k = vfDriverCapabilities(driver)?.knobs[knob];
  return k?.support === 'no' ? { errno: k.errno, source: k.source } : null;
}
