// Bench: parse a generated ~50,000-line keepalived.conf (255 VRRP instances with many VIPs and a
// large virtual_server section) with loadConfig over an in-memory reader; prints a table and
// writes bench/results/parse-config.json. Run: npm run build:ts && node dist/bench/parse-config.js
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config/load.js'
import { createMemoryReader } from '../src/config/memory-reader.js'

function generate (): string {
  const out: string[] = ['global_defs {', '  router_id bench', '}', 'vrrp_script chk {', '  script "/bin/true"', '  interval 1', '  weight -10', '}']
  for (let i = 1; i <= 255; i++) {
    out.push(`vrrp_instance VI_${i} {`, '  state BACKUP', `  interface eth${i % 4}`, `  virtual_router_id ${i}`, `  priority ${100 + (i % 50)}`, '  advert_int 1',
      '  authentication {', '    auth_type PASS', '    auth_pass secret', '  }', '  track_script {', '    chk', '  }', '  virtual_ipaddress {')
    for (let v = 0; v < 100; v++) out.push(`    10.${i}.${v >> 8}.${v & 255}/24 dev eth${i % 4} label eth${i % 4}:${v}`)
    out.push('  }', '}')
  }
  let n = 0
  while (out.length < 50_000) {
    out.push(`virtual_server 192.0.2.${n % 250} ${1000 + n} {`, '  delay_loop 6', '  lb_algo wrr', '  lb_kind DR', '  protocol TCP')
    for (let r = 0; r < 8; r++) out.push(`  real_server 198.51.100.${r} ${1000 + n} {`, '    weight 1', '    TCP_CHECK {', '      connect_timeout 3', '    }', '  }')
    out.push('}')
    n++
  }
  return out.join('\n') + '\n'
}

const text = generate()
const lines = text.split('\n').length - 1
const reader = createMemoryReader({ '/bench/keepalived.conf': text })
const runs: number[] = []
let diagnostics = 0
for (let i = 0; i < 7; i++) {
  const t0 = process.hrtime.bigint()
  const r = loadConfig('/bench/keepalived.conf', { reader, configId: 'bench' })
  runs.push(Number(process.hrtime.bigint() - t0) / 1e6)
  diagnostics = r.diagnostics.length
}
const measured = runs.slice(2).sort((a, b) => a - b)
const median = measured[Math.floor(measured.length / 2)]
const result = { bench: 'parse-config', lines, bytes: text.length, runs: runs.length, warmupRuns: 2, medianMs: Number(median.toFixed(1)), minMs: Number(measured[0].toFixed(1)), maxMs: Number(measured[measured.length - 1].toFixed(1)), linesPerSecond: Math.round(lines / (median / 1000)), diagnostics, node: process.version, date: new Date().toISOString() }

// Side by side: whole-process wall time of `floatip check-config` and `keepalived -t` on the same
// file (keepalived runs in a private network namespace, `unshare -n`, so it touches nothing).
function wallMs (argv: string[]): number {
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint()
    spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 120_000 })
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return times.sort((a, b) => a - b)[1]
}
const tmp = mkdtempSync(join(tmpdir(), 'fip-parse-'))
const file = join(tmp, 'keepalived.conf')
writeFileSync(file, text)
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
const floatipWallMs = wallMs([process.execPath, cli, 'check-config', '-f', file, '--config-id', 'bench'])
const keepalivedWallMs = wallMs(['unshare', '-n', 'keepalived', '-t', '-f', file])
rmSync(tmp, { recursive: true, force: true })
Object.assign(result, { floatipCheckConfigWallMs: Math.round(floatipWallMs), keepalivedTestWallMs: Math.round(keepalivedWallMs), wallRatioKeepalivedOverFloatip: Number((keepalivedWallMs / floatipWallMs).toFixed(2)) })
console.table([{ lines, 'median ms': result.medianMs, 'min ms': result.minMs, 'max ms': result.maxMs, 'lines/s': result.linesPerSecond, diagnostics }])
console.table([{ 'floatip check-config wall ms': Math.round(floatipWallMs), 'keepalived -t wall ms': Math.round(keepalivedWallMs), 'keepalived/floatip': (keepalivedWallMs / floatipWallMs).toFixed(2) }])
const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url))
mkdirSync(dir, { recursive: true })
writeFileSync(dir + 'parse-config.json', JSON.stringify(result, null, 2) + '\n')
