// Which instance an advert on an interface belongs to when more than one instance there uses its
// VRID. keepalived 2.2.7 lets a multicast instance and unicast instances share a VRID on one
// interface (a unicast instance has sockets of its own; only two multicast instances with the
// same interface, VRID, family and group clash: config/instance-checks.ts), so the VRID alone
// does not name the instance: an advert sent to the multicast group belongs to the multicast
// one, a unicast advert to the unicast instance that lists its source as a peer (or, with none
// listing it, the first unicast one, as keepalived's unicast socket takes any source unless
// check_unicast_src). Pure.

export interface VridCandidate {
  /** The instance multicasts (no unicast_peer). */
  readonly multicast: boolean
  /** Whether `source` (as formatIp prints it) is one of its unicast peers. */
  hasPeer: (source: string) => boolean
}

/** The candidate an advert from `source`, sent to a multicast group or not, is for. */
export function pickByDestination<T extends VridCandidate> (candidates: readonly T[], source: string, toGroup: boolean): T | undefined {
  if (candidates.length <= 1) return candidates[0]
  if (toGroup) return candidates.find((c) => c.multicast)
  const unicast = candidates.filter((c) => !c.multicast)
  return unicast.find((c) => c.hasPeer(source)) ?? unicast[0]
}
