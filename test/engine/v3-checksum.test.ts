// keepalived's v3_checksum_as_v2 on the wire (docs/protocol.md "VRRPv3 IPv4 checksum forms"): a
// floatip master configured with it sends RFC 9568's checksum (the VRRP message alone) from its
// native periodic. A floatip backup accepts that form and names it per peer in its status.
// keepalived 2.2.7 (Debian's; the option came with 2.2.8) only accepts the pseudo-header form:
// as a backup it drops every advert of that master as a checksum error and becomes master too.
// This test pins that consequence, which docs/compatibility.md tells users about.
import t from 'tap'
import { withLab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, vipHolders } from '../helpers/daemons.js'
import { floatipStatus, lastState, reportedStates, tail, waitForState } from './interop-helpers.js'

interface FormsStatus {
  instances: Array<{ name: string, state: string, counters: { checksumForms: { peers: Record<string, { form: string, adverts: Record<string, number> }> } } }>
}

t.test('v3_checksum_as_v2: a floatip backup follows the master; keepalived 2.2.7 logs checksum errors and takes over', async (t) => {
  const lab = await withLab(t, { routers: 3, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const conf = (priority: number, extra: string[] = []): string =>
    keepalivedConf({ instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 0.1, version: 3, vips: [vip], extra }] })
  // One at a time: r2 started alongside could be master for a moment before r1 is up.
  const r1 = daemons.floatip('r1', conf(150, ['v3_checksum_as_v2']))
  await waitForState(r1, 'VI_1', 'MASTER', { timeoutMs: 10_000 })
  const r2 = daemons.floatip('r2', conf(100))
  await waitForState(r2, 'VI_1', 'BACKUP', { timeoutMs: 10_000 })
  const r3 = daemons.keepalived('r3', conf(50))
  t.teardown(() => { if (t.passing()) return; for (const d of [r1, r2, r3]) t.comment(tail(d)) })

  // keepalived 2.2.7 never accepts r1's adverts: Master_Down_Timer (3 x 0.1 s + skew) fires.
  await waitForState(r3, 'VI_1', 'MASTER', { timeoutMs: 10_000 })
  t.same((await vipHolders(lab, ['r1', 'r2', 'r3'], vip)).sort(), ['r1', 'r3'], 'two masters: r1 and keepalived both hold the VIP')
  t.match(r3.stderr.join('\n'), /\(VI_1\) Invalid VRRPv3 checksum/, 'keepalived logs the checksum errors')
  t.same(reportedStates(r2, 'VI_1'), ['BACKUP'], 'the floatip backup never took over')

  const ip = (node: string): string => lab.node(node).ipv4
  const peersOf = async (d: typeof r1): Promise<FormsStatus['instances'][number]['counters']['checksumForms']['peers']> => {
    const s = await floatipStatus(lab, d, 10_000) as unknown as FormsStatus
    return s.instances.find((i) => i.name === 'VI_1')?.counters.checksumForms.peers ?? {}
  }
  const formsOf = (peers: Record<string, { form: string }>): Record<string, string> =>
    Object.fromEntries(Object.entries(peers).map(([source, p]) => [source, p.form]))
  const seenByR2 = await peersOf(r2)
  t.same(formsOf(seenByR2), { [ip('r1')]: 'v2-style', [ip('r3')]: 'pseudo-header' }, 'r2 sees r1 send RFC 9568\'s form and keepalived the pseudo-header form')
  // The native periodic sends the bytes JavaScript encoded: any advert of r1 in the other form
  // would miss r2's native watch (not byte-identical), reach r2's engine and be counted here.
  t.equal(seenByR2[ip('r1')]?.adverts['pseudo-header'], 0, 'r1 never sent the pseudo-header form')
  t.same(formsOf(await peersOf(r1)), { [ip('r3')]: 'pseudo-header' }, 'r1 accepts keepalived\'s form (and stays master: 150 > 50)')
  t.equal(lastState(r1, 'VI_1'), 'MASTER')
})
