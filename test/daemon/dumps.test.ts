// keepalived's dump signals against Debian's keepalived in one lab: SIGUSR2 writes keepalived.stats
// and SIGUSR1 keepalived.data in the daemon's TMPDIR. floatip's stats file has keepalived's layout
// line for line, its counters agree with what the peer saw, and every line of its data dump is a
// line keepalived writes too, with the same value where both read the same config.
import t from 'tap'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, type RunningDaemon } from '../helpers/daemons.js'
import { floatipStatus, type VrrpInstanceSpec } from '../../src/lab/index.js'

/**
 * Sends `signal` and returns the dump it writes (any earlier dump is removed first), once it has
 * stopped growing: keepalived creates the file first and writes it in pieces.
 */
async function dump (lab: Lab, d: RunningDaemon, signal: 'SIGUSR1' | 'SIGUSR2'): Promise<string> {
  const path = join(d.tmpDir, signal === 'SIGUSR2' ? 'keepalived.stats' : 'keepalived.data')
  rmSync(path, { force: true })
  lab.kill(d.child, signal)
  let last = ''
  await waitFor(() => {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : ''
    const settled = text !== '' && text === last
    last = text
    return settled
  }, { timeoutMs: 5000, intervalMs: 100, what: `${d.kind} ${d.node}: ${path}, complete` })
  return last
}

/** Per instance: its lines of a keepalived.stats or keepalived.data dump. */
function blocks (text: string, header: RegExp): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let current: string[] | null = null
  for (const line of text.split('\n')) {
    const m = header.exec(line)
    if (m !== null) out.set(m[1], current = [])
    else if (/^-+</.test(line)) current = null
    else if (current !== null && line !== '') current.push(line)
  }
  return out
}
const STATS_HEADER = /^VRRP Instance: (\S+)$/
const DATA_HEADER = /^ VRRP Instance = (\S+)$/

/** `    Received: 12` → `    Received: N`: the layout without the figures. */
const skeleton = (text: string): string => text.replace(/\d+/g, 'N')

/** The value of the counter at `path` (e.g. ['Advertisements', 'Received']) in a stats block. */
function counter (block: string[], path: string[]): number {
  let at = 0
  for (const label of path) {
    at = block.findIndex((l, i) => i >= at && l.trim().startsWith(`${label}:`))
    if (at < 0) return NaN
  }
  return Number(block[at].split(':')[1])
}

/** `   Key = value` lines of a data block, as a map (`Virtual IP (1):` and the like are skipped). */
function keyValues (block: string[]): Map<string, string> {
  return new Map(block.filter((l) => l.includes(' = ')).map((l) => {
    const i = l.indexOf(' = ')
    return [l.slice(0, i).trim(), l.slice(i + 3).trim()]
  }))
}

function instances (lab: Lab, priority: number, state: 'MASTER' | 'BACKUP'): VrrpInstanceSpec[] {
  return [
    { name: 'VI_1', vrid: 51, priority, state, vips: [`${lab.vip4(0)}/24`], advertInt: 0.1, version: 3 },
    { name: 'VI_2', vrid: 52, priority, state, vips: [`${lab.vip4(1)}/32`], advertInt: 1, version: 2, authPass: 'secret1', extra: ['nopreempt'] }
  ]
}

t.test('floatip master, keepalived backup: the same dumps, and counters that agree', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', keepalivedConf({ instances: instances(lab, 150, 'MASTER') }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 VI_1 MASTER')
  await r1.waitForLog(stateChange('VI_2', 'MASTER'), 'r1 VI_2 MASTER')
  const r2 = daemons.keepalived('r2', keepalivedConf({ instances: instances(lab, 100, 'BACKUP') }))
  await new Promise((resolve) => setTimeout(resolve, 2500)) // adverts flow: VI_1 ~25, VI_2 ~2

  const ka = await dump(lab, r2, 'SIGUSR2')
  const fl = await dump(lab, r1, 'SIGUSR2')
  t.equal(skeleton(fl), skeleton(ka), 'keepalived.stats: keepalived\'s layout, line for line')
  const flStats = blocks(fl, STATS_HEADER)
  const kaStats = blocks(ka, STATS_HEADER)
  t.same([...flStats.keys()], ['VI_1', 'VI_2'])
  for (const name of ['VI_1', 'VI_2']) {
    const sent = counter(flStats.get(name) ?? [], ['Advertisements', 'Sent'])
    const received = counter(kaStats.get(name) ?? [], ['Advertisements', 'Received'])
    t.ok(received > 0, `${name}: keepalived received floatip's adverts (${received})`)
    // floatip's dump came after keepalived's: it has sent at least what keepalived had received.
    t.ok(sent >= received, `${name}: floatip counts them as sent (${sent} >= ${received}), native sends included`)
    t.equal(counter(flStats.get(name) ?? [], ['Became master']), 1, `${name}: floatip became master once`)
    t.equal(counter(kaStats.get(name) ?? [], ['Became master']), 0, `${name}: keepalived never did`)
    t.equal(counter(flStats.get(name) ?? [], ['Authentication Errors', 'Failure']), 0)
  }

  const kaData = blocks(await dump(lab, r2, 'SIGUSR1'), DATA_HEADER)
  const flText = await dump(lab, r1, 'SIGUSR1')
  t.match(flText, /^------< Global definitions >------$/m)
  t.match(flText, /^ VRRP IPv4 mcast group = 224\.0\.0\.18$/m)
  const flData = blocks(flText, DATA_HEADER)
  t.same([...flData.keys()], ['VI_1', 'VI_2'])
  // Values that come from the config, identical on both routers.
  const shared = ['VRRP Version', 'Virtual Router ID', 'Advert interval', 'Accept', 'Preempt', 'Authentication type',
    'Password', 'Down timer adverts', 'Gratuitous ARP delay', 'Gratuitous ARP repeat', 'Gratuitous ARP refresh',
    'Gratuitous ARP refresh repeat', 'Gratuitous ARP lower priority delay', 'Gratuitous ARP lower priority repeat',
    'Send advert after receive lower priority advert', 'Send advert after receive higher priority advert', 'Notify deleted']
  for (const name of ['VI_1', 'VI_2']) {
    const f = keyValues(flData.get(name) ?? [])
    const k = keyValues(kaData.get(name) ?? [])
    for (const key of f.keys()) t.ok(k.has(key), `${name}: keepalived writes "${key} =" too`)
    for (const key of shared) if (f.has(key) || k.has(key)) t.equal(f.get(key), k.get(key), `${name}: ${key}`)
    t.equal(f.get('State'), 'MASTER', `${name}: floatip MASTER`)
    t.equal(k.get('State'), 'BACKUP', `${name}: keepalived BACKUP`)
    t.equal(f.get('Priority'), '150')
    t.equal(f.get('Interface'), 'eth0')
    t.match(f.get('Last transition') ?? '', /^\d+\.\d{6} \(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{6} \d{4}\)$/, `${name}: keepalived's timestamp form`)
    const vip = (flData.get(name) ?? []).find((l) => l.includes(name === 'VI_1' ? lab.vip4(0) : lab.vip4(1)))
    t.match(vip ?? '', /^ {5}\S+ dev eth0 scope global set$/, `${name}: the VIP line, installed`)
  }
  t.equal(keyValues(flData.get('VI_2') ?? []).get('Preempt'), 'disabled', 'nopreempt')
  t.ok(r1.logs.some((l) => l.msg === 'stats' && l.path === join(r1.tmpDir, 'keepalived.stats')), 'SIGUSR2 logs where it wrote')

  // SIGUSR1 also writes floatip's full status as JSON.
  const status = await floatipStatus(lab, r1) as { instances: Array<{ name: string, counters: { advertsSentNative: number } }>, native: { txSent: number, txLateHistogram: number[] } }
  t.same(status.instances.map((i) => i.name), ['VI_1', 'VI_2'])
  t.ok(status.instances[0].counters.advertsSentNative > 20, 'VI_1 adverts sent by the native thread')
  const histogram = status.native.txLateHistogram.reduce((a, b) => a + b, 0)
  t.ok(histogram > 0 && histogram >= status.native.txSent, `native send lateness counted per send (${histogram} >= ${status.native.txSent})`)
})

t.test('keepalived master shuts down: floatip counts its priority-0 advert', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const only = (list: VrrpInstanceSpec[]): VrrpInstanceSpec[] => list.filter((i) => i.name === 'VI_1')
  const r1 = daemons.keepalived('r1', keepalivedConf({ instances: only(instances(lab, 150, 'MASTER')) }))
  const r2 = daemons.floatip('r2', keepalivedConf({ instances: only(instances(lab, 100, 'BACKUP')) }))
  await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const before = blocks(await dump(lab, r2, 'SIGUSR2'), STATS_HEADER).get('VI_1') ?? []
  t.equal(counter(before, ['Priority Zero', 'Received']), 0, 'no priority 0 yet')
  const watched = counter(before, ['Advertisements', 'Received'])
  t.ok(watched >= 3, `adverts absorbed by the native watch are counted (${watched})`)
  const from = r2.logs.length
  lab.kill(r1.child, 'SIGTERM')
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 MASTER after keepalived stopped', { from })
  const after = blocks(await dump(lab, r2, 'SIGUSR2'), STATS_HEADER).get('VI_1') ?? []
  t.equal(counter(after, ['Priority Zero', 'Received']), 1, 'keepalived\'s priority-0 advert (RFC 5798 §6.4.3)')
  t.equal(counter(after, ['Became master']), 1)
  t.ok(counter(after, ['Advertisements', 'Sent']) >= 1, 'floatip advertises as master')
  t.ok(counter(after, ['Advertisements', 'Received']) > watched, 'received keeps counting across the watch re-arm')
})
