// Why a received VRRP packet is discarded, as a closed union named after the MIB counters of
// RFC 6527 (VRRPv3) and RFC 2787 (VRRPv2), and pure counters keyed by it. Owns the names only:
// the checks live in vrrp-codec.ts (packet rules) and receive-checks.ts (instance rules).

/** Rules that need only the packet and its IP header (RFC 5798 §7.1 / RFC 3768 §7.1). */
export const PACKET_DISCARD_REASONS = [
  'ip-ttl-error', // vrrpv3StatisticsIpTtlErrors / vrrpStatsIpTtlErrors
  'version-error', // vrrpv3RouterVersionErrors / vrrpRouterVersionErrors
  'invalid-type', // vrrpv3StatisticsRcvdInvalidTypePackets / vrrpStatsInvalidTypePktsRcvd
  'packet-length-error', // vrrpv3StatisticsPacketLengthErrors / vrrpStatsPacketLengthErrors
  'checksum-error', // vrrpv3RouterChecksumErrors / vrrpRouterChecksumErrors
] as const;

/** Rules that need the receiving instance's configuration. */
export const INSTANCE_DISCARD_REASONS = [
  'vrid-error', // vrrpv3RouterVrIdErrors / vrrpRouterVrIdErrors
  'invalid-auth-type', // vrrpStatsInvalidAuthType (unknown or unsupported type, e.g. AH)
  'auth-type-mismatch', // vrrpStatsAuthTypeMismatch
  'auth-failure', // vrrpStatsAuthFailures (password mismatch)
  'advertise-interval-error', // vrrpv3StatisticsAdvIntervalErrors / vrrpStatsAdvertiseIntervalErrors
  'address-list-error', // vrrpv3StatisticsAddressListErrors / vrrpStatsAddressListErrors
] as const;

export type PacketDiscardReason = (typeof PACKET_DISCARD_REASONS)[number];
export type InstanceDiscardReason = (typeof INSTANCE_DISCARD_REASONS)[number];
export type DiscardReason = PacketDiscardReason | InstanceDiscardReason;

export const DISCARD_REASONS: readonly DiscardReason[] = [
  ...PACKET_DISCARD_REASONS,
  ...INSTANCE_DISCARD_REASONS,
];

/** The MIB object each reason is counted as (VRRPv3 name where RFC 6527 has one). */
export const DISCARD_REASON_MIB_OBJECT: Readonly<Record<DiscardReason, string>> = {
  'ip-ttl-error': 'vrrpv3StatisticsIpTtlErrors',
  'version-error': 'vrrpv3RouterVersionErrors',
  'invalid-type': 'vrrpv3StatisticsRcvdInvalidTypePackets',
  'packet-length-error': 'vrrpv3StatisticsPacketLengthErrors',
  'checksum-error': 'vrrpv3RouterChecksumErrors',
  'vrid-error': 'vrrpv3RouterVrIdErrors',
  'invalid-auth-type': 'vrrpStatsInvalidAuthType',
  'auth-type-mismatch': 'vrrpStatsAuthTypeMismatch',
  'auth-failure': 'vrrpStatsAuthFailures',
  'advertise-interval-error': 'vrrpv3StatisticsAdvIntervalErrors',
  'address-list-error': 'vrrpv3StatisticsAddressListErrors',
};

export function isDiscardReason(value: unknown): value is DiscardReason {
  return typeof value === 'string' && (DISCARD_REASONS as readonly string[]).includes(value);
}

export function isPacketDiscardReason(value: unknown): value is PacketDiscardReason {
  return typeof value === 'string' && (PACKET_DISCARD_REASONS as readonly string[]).includes(value);
}

export type DiscardCounters = Readonly<Record<DiscardReason, number>>;

export function emptyDiscardCounters(): DiscardCounters {
  const counters = {} as Record<DiscardReason, number>;
  for (const reason of DISCARD_REASONS) counters[reason] = 0;
  return counters;
}

/** A copy of `counters` with `reason` counted once more; the input is left unchanged. */
export function countDiscard(counters: DiscardCounters, reason: DiscardReason): DiscardCounters {
  return { ...counters, [reason]: counters[reason] + 1 };
}

export function totalDiscards(counters: DiscardCounters): number {
  return DISCARD_REASONS.reduce((sum, reason) => sum + counters[reason], 0);
}
