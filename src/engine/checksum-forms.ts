// Which VRRPv3 IPv4 checksum form each peer of an instance sends (RFC 5798 §5.2.8 read with the
// pseudo-header, as keepalived does, or RFC 9568 §5.2.8's message-only form, keepalived's
// `v3_checksum_as_v2`): both are accepted, and this tells an operator which one each router
// uses. Bounded: at most CHECKSUM_FORM_PEER_CAP sources are tracked per instance; adverts from
// further sources are counted together, by form. Pure apart from its own counts.
//
// Counted once per advert the engine decodes. The native watch absorbs the known master's
// repeats without JavaScript, and those are not counted here (advertsMatchedNative counts them),
// but they cannot change the peer's form: the watch only absorbs adverts from the watched source
// whose bytes are identical to the advert the engine last decoded from it (native/io_loop.cc
// MatchesWatch), so their checksum field, and the form it verifies in, is that advert's. A peer
// that switches forms sends different bytes, which miss the watch and reach the engine.
import type { ChecksumForm } from '../protocol/vrrp-advert.js'

/** Sources tracked per instance: VRRP routers on one VRID are few (RFC 5798 §1: usually 2-3). */
export const CHECKSUM_FORM_PEER_CAP = 16

export interface PeerChecksumForm {
  /** The form of the latest advert from this source. */
  form: ChecksumForm
  /** Adverts the engine decoded from this source, by form. */
  adverts: Record<ChecksumForm, number>
}

export interface ChecksumFormCounts {
  /** By source address (as printed by formatIp). */
  peers: Record<string, PeerChecksumForm>
  /** Adverts from sources beyond the cap, by form. */
  overflow: Record<ChecksumForm, number>
}

const noAdverts = (): Record<ChecksumForm, number> => ({ 'pseudo-header': 0, 'v2-style': 0 })

export class ChecksumFormCounter {
  readonly #peers = new Map<string, PeerChecksumForm>()
  readonly #overflow = noAdverts()

  count (source: string, form: ChecksumForm): void {
    let peer = this.#peers.get(source)
    if (peer === undefined) {
      if (this.#peers.size >= CHECKSUM_FORM_PEER_CAP) {
        this.#overflow[form]++
        return
      }
      peer = { form, adverts: noAdverts() }
      this.#peers.set(source, peer)
    }
    peer.form = form
    peer.adverts[form]++
  }

  /** A copy (status crosses threads and outlives later counts). */
  snapshot (): ChecksumFormCounts {
    const peers: Record<string, PeerChecksumForm> = {}
    for (const [source, p] of this.#peers) peers[source] = { form: p.form, adverts: { ...p.adverts } }
    return { peers, overflow: { ...this.#overflow } }
  }
}
