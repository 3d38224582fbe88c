// Differential test against the installed keepalived 2.2.7: for every fixture, `keepalived -t`
// flags the file (non-zero exit) exactly when `floatip check-config` reports at least one
// diagnostic (checkConfig: the parser and the script files, as the CLI shows them), except the
// deliberate differences listed in KNOWN_DIFFERENCES (justified in docs/compatibility.md).
// keepalived runs inside a private network namespace (`unshare -n`) that holds only the veth
// interfaces the fixtures name, and disappears with the process: nothing on the host is touched.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { basename } from 'node:path'
import { checkConfig } from '../../src/daemon/config-check.js'
import { fixtureFiles } from './helpers.js'

/** fixture -> why floatip and keepalived -t disagree on flagging it. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'seed-000-oneline.conf': 'floatip warns that a comment holds configuration and that nothing is configured',
  'global_defs-early.conf': 'keepalived -t does not know the keywords of its own early start-up pass',
  'global_defs-iptables.conf': "Debian's keepalived is built without iptables support",
  'vrrp_instance-vrf.conf': 'keepalived -t looks the VRF device up in the kernel; floatip parses without kernel access',
  'virtual_server-key-suffix.conf': 'keepalived ignores what follows the virtual_server address; floatip checks it as a range',
  'vrrp_instance-v3-checksum.conf': 'v3_checksum_as_v2 came with keepalived 2.2.8; 2.2.7 reports it as an unknown keyword',
  'missing.conf': 'keepalived logs "Config files missing" for a plain include and exits 0; floatip warns',
  'single-quotes.conf': 'keepalived keeps single quotes in values silently; floatip warns (a password with its quotes)',
  'script-not-executable.conf': 'keepalived 2.2.7 disables a track script it cannot execute without a message (exit 0); floatip warns: the check never runs',
  'notify-missing.conf': 'keepalived 2.2.7 drops a notify script it cannot find without a message (exit 0); floatip warns: the transition runs nothing',
}

const IFACES = 'ip link add eth0 type veth peer name eth1 && ip link add eth2 type veth peer name ens33 && ip link add ens37 type veth peer name bond0'

function keepalivedFlags (file: string): boolean | undefined {
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `${IFACES} && exec keepalived -t -f "$1" -i fixture`, 'sh', file], { encoding: 'utf8', timeout: 10_000 })
  if (r.error !== undefined || r.status === null || /unshare failed|Operation not permitted|not found/.test(r.stderr ?? '') && r.status === 1) return undefined
  return r.status !== 0
}

const probe = spawnSync('unshare', ['-n', 'sh', '-c', `${IFACES} && keepalived -v`], { encoding: 'utf8', timeout: 10_000 })
const available = probe.status === 0 && /Keepalived v2\.2/.test(probe.stderr + probe.stdout)

t.test('floatip flags a fixture exactly when keepalived -t does', { skip: available ? false : 'needs root, unshare and keepalived 2.2' }, async (t) => {
  for (const file of fixtureFiles()) {
    const name = basename(file)
    const ours = checkConfig(file, { configId: 'fixture' }).diagnostics.length > 0
    const theirs = keepalivedFlags(file)
    if (theirs === undefined) { t.fail(`could not run keepalived on ${name}`); continue }
    if (ours !== theirs && KNOWN_DIFFERENCES[name] === undefined) {
      t.fail(`${name}: floatip ${ours ? 'flags' : 'accepts'} it, keepalived -t ${theirs ? 'flags' : 'accepts'} it`)
    } else t.pass(`${name}: ${ours === theirs ? 'agree' : 'known difference: ' + KNOWN_DIFFERENCES[name]}`)
  }
})
