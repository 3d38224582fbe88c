// Keyword tables of the VRRP helpers: vrrp_script, track_file (vrrp_track_file), vrrp_track_process,
// vrrp_sync_group and garp_group (keepalived 2.2.7). Defaults as documented in man keepalived.conf.
import { deprecated, invalid, named, type KeywordSpec } from './spec.js'
import { custom, flag, optionalFlag, int, nameList, oneOf, script, scriptCommand, str, text, timerUs } from './helpers.js'
import { trackList } from './vrrp-items.js'
import { parseInteger } from '../values.js'

/** `weight N [reverse]` on a tracked object. */
function weight (min: number, max: number): KeywordSpec<{ weight: number, reverse: boolean }> {
  return custom({
    minArgs: 1,
    maxArgs: 2,
    expected: `an integer in ${min}..${max} [reverse]`,
    initial: () => ({ weight: 0, reverse: false }),
    parse: (s, ctx) => {
      const v = parseInteger(s.args[0].text)
      if (v === undefined || v < min || v > max) return invalid(ctx, s.args[0], `weight '${s.args[0].text}' is not in ${min}..${max}`, `an integer in ${min}..${max}`, v === undefined ? 'invalid-value' : 'out-of-range')
      const r = s.args[1]
      if (r !== undefined && r.text !== 'reverse' && r.text !== 'noreverse') return invalid(ctx, r, `weight: unexpected '${r.text}'`, 'reverse')
      return { weight: v, reverse: r?.text === 'reverse' }
    }
  })
}

const user = (): KeywordSpec<{ user: string, group: string | undefined } | undefined> =>
  custom<{ user: string, group: string | undefined } | undefined>({ minArgs: 1, maxArgs: 2, expected: 'USERNAME [GROUPNAME]', initial: () => undefined, parse: (s) => ({ user: s.args[0].text, group: s.args[1]?.text }) })

export const vrrpScriptKeywords = {
  script: scriptCommand(),
  interval: named('intervalUs', timerUs(86400, 1_000_000)),
  timeout: named('timeoutUs', timerUs(86400)),
  weight: named('weight', weight(-253, 253)),
  rise: int(1, 2 ** 31 - 1, 1),
  fall: int(1, 2 ** 31 - 1, 1),
  user: user(),
  init_fail: flag()
} as const

export const trackFileKeywords = {
  file: str(),
  weight: named('weight', { ...weight(-2147483647, 2147483647), initial: () => ({ weight: 1, reverse: false }) }),
  init_file: custom<{ value: number, overwrite: boolean } | undefined>({
    maxArgs: 2,
    expected: '[VALUE] [overwrite]',
    initial: () => undefined,
    parse: (s, ctx) => {
      let value = 0
      let overwrite = false
      for (const a of s.args) {
        if (a.text === 'overwrite') overwrite = true
        else { const v = parseInteger(a.text); if (v === undefined) return invalid(ctx, a, `init_file: '${a.text}' is not an integer`, '[VALUE] [overwrite]'); value = v }
      }
      return { value, overwrite }
    }
  })
} as const

export const trackProcessKeywords = {
  process: custom<string[] | undefined>({ minArgs: 1, expected: 'PROCESS_NAME [ARGS...]', initial: () => undefined, parse: (s) => s.args.map((a) => a.text) }),
  // KEEPALIVED: a bare `param_match` means exact parameters (with none given: no parameters).
  param_match: custom<'exact' | 'initial' | 'partial' | undefined>({
    maxArgs: 1,
    expected: '[initial|partial]',
    initial: () => undefined,
    parse: (s, ctx) => {
      const a = s.args[0]
      if (a === undefined) return 'exact'
      if (a.text === 'initial' || a.text === 'partial') return a.text
      return invalid(ctx, a, `param_match: '${a.text}' is not one of initial, partial`, '[initial|partial]')
    }
  }),
  // KEEPALIVED: "default weight (default is 1)".
  weight: named('weight', { ...weight(-254, 254), initial: () => ({ weight: 1, reverse: false }) }),
  quorum: int(1, 65535, 1),
  // KEEPALIVED: quorum_max 0 means failure while any matching process runs.
  quorum_max: int(0, 65535),
  fork_delay: named('forkDelayUs', timerUs(86400)),
  terminate_delay: named('terminateDelayUs', timerUs(86400)),
  delay: named('delayUs', timerUs(86400)),
  full_command: flag()
} as const

export const syncGroupKeywords = {
  group: nameList('one vrrp_instance name per line'),
  track_interface: trackList('IFNAME', -253, 253),
  track_script: trackList('SCRIPT_NAME', -253, 253),
  track_file: trackList('TRACK_FILE_NAME', -254, 254),
  track_process: trackList('PROCESS_NAME', -254, 254),
  track_bfd: trackList('BFD_NAME', -253, 253),
  notify_master: script(),
  notify_backup: script(),
  notify_fault: script(),
  notify_stop: script(),
  notify: script(),
  notify_priority_changes: optionalFlag(),
  smtp_alert: optionalFlag(),
  // KEEPALIVED 2.2.7 warns that this is deprecated in favour of tracking on the sync group.
  global_tracking: deprecated('track_interface/track_script/track_file on the sync group', flag()),
  sync_group_tracking_weight: flag()
} as const

export const garpGroupKeywords = {
  garp_interval: named('garpIntervalUs', timerUs(1000)),
  gna_interval: named('gnaIntervalUs', timerUs(1000)),
  interface: str(),
  interfaces: nameList('one interface per line')
} as const

export const trackGroupKeywords = {
  group: nameList('one vrrp_instance name per line')
} as const
