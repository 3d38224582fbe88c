// keepalived 2.2.7's LVS defaults and inheritance (virtual_server -> real_server -> checker) as
// resolved by lvs-defaults.ts. The expected values are what keepalived's healthchecker printed
// for the same configs with `keepalived -C -d` (docs/config.md "LVS defaults").
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import type { Checker, KeepalivedConfig } from '../../src/config/model.js'

function load (text: string): { model: KeepalivedConfig, codes: string[], messages: string[] } {
  const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': text }), configId: 'x' })
  return { model: r.model, codes: r.diagnostics.map((d) => d.code), messages: r.diagnostics.map((d) => d.message) }
}

const S = 1_000_000
const TRACKED = 'track_file tf1 {\n  file /tmp/tf1\n}\nbfd_instance b1 {\n  neighbor_ip 192.0.2.30\n}\n'
const EVERY_CHECKER = `TCP_CHECK {
    }
    HTTP_GET {
      url {
        path /
      }
    }
    SSL_GET {
      url {
        path /
      }
    }
    MISC_CHECK {
      misc_path /bin/true
    }
    SMTP_CHECK {
    }
    DNS_CHECK {
    }
    PING_CHECK {
    }
    UDP_CHECK {
    }
    FILE_CHECK {
      track_file tf1
    }
    BFD_CHECK {
      name b1
    }`

const timing = (c: Checker): unknown[] => [c.type, c.alpha, c.delayLoopUs, c.warmupUs, c.retry, c.delayBeforeRetryUs, c.connectTimeoutUs, c.connectIp, c.connectPort]

t.test('nothing set: every checker gets keepalived 2.2.7 defaults', async (t) => {
  const { model, codes } = load(`${TRACKED}virtual_server 192.0.2.10 80 {\n  real_server 192.0.2.20 8080 {\n    ${EVERY_CHECKER}\n  }\n}\n`)
  t.same(codes, [])
  const vs = model.virtualServers[0]
  t.same([vs.alpha, vs.inhibitOnFailure, vs.smtpAlert, vs.connectTimeoutUs, vs.delayLoopUs, vs.lvsSched, vs.quorum, vs.hysteresis], [false, false, false, 5 * S, 60 * S, 'wlc', 1, 0])
  t.same(vs.lvsMethod, { method: 'NAT', options: [] })
  t.same(vs.sorryServerLvsMethod, { method: 'NAT', options: [] })
  // KEEPALIVED 2.2.7: "no protocol set - defaulting to UDP".
  t.equal(vs.protocol, 'UDP')
  const rs = vs.realServers[0]
  t.same([rs.alpha, rs.inhibitOnFailure, rs.smtpAlert, rs.connectTimeoutUs, rs.delayLoopUs, rs.weight, rs.uthreshold, rs.lthreshold], [false, false, true, 5 * S, 60 * S, 1, 0, 0])
  t.same(rs.lvsMethod, { method: 'NAT', options: [] })
  t.equal(rs.retry, undefined, 'retry has no real_server default: it depends on the checker')
  const byType = Object.fromEntries(rs.checkers.map((c) => [c.type, c]))
  const conn = ['192.0.2.20', 8080]
  t.same(timing(byType.TCP_CHECK), ['TCP_CHECK', false, 60 * S, 60 * S, 1, 1 * S, 5 * S, ...conn])
  t.same(timing(byType.HTTP_GET), ['HTTP_GET', false, 60 * S, 60 * S, 1, 3 * S, 5 * S, ...conn])
  t.same(timing(byType.SSL_GET), ['SSL_GET', false, 60 * S, 60 * S, 1, 3 * S, 5 * S, ...conn])
  t.same(timing(byType.MISC_CHECK), ['MISC_CHECK', false, 60 * S, 60 * S, 0, 1 * S, undefined, undefined, undefined])
  t.same(timing(byType.SMTP_CHECK), ['SMTP_CHECK', false, 60 * S, 60 * S, 1, 1 * S, 5 * S, ...conn])
  t.same(timing(byType.DNS_CHECK), ['DNS_CHECK', false, 60 * S, 60 * S, 3, 60 * S, 5 * S, ...conn])
  t.same(timing(byType.PING_CHECK), ['PING_CHECK', false, 60 * S, 60 * S, 1, 1 * S, 5 * S, ...conn])
  t.same(timing(byType.UDP_CHECK), ['UDP_CHECK', false, 60 * S, 60 * S, 1, 1 * S, 5 * S, ...conn])
  t.same(timing(byType.FILE_CHECK), ['FILE_CHECK', undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined])
  t.same(timing(byType.BFD_CHECK), ['BFD_CHECK', false, undefined, undefined, undefined, undefined, undefined, undefined, undefined])
  for (const c of rs.checkers.filter((c) => !['FILE_CHECK', 'BFD_CHECK'].includes(c.type))) t.equal(c.logAllFailures, false, c.type)
  t.equal(byType.HTTP_GET.httpProtocol, '1.0')
  t.same((byType.HTTP_GET.urls as Array<{ statusCode: string[] }>)[0].statusCode, ['200-299'])
  t.equal(byType.SMTP_CHECK.heloName, 'smtpchecker.keepalived.org')
  t.same([byType.DNS_CHECK.queryType, byType.DNS_CHECK.name], ['SOA', '.'])
  t.same([byType.UDP_CHECK.minReplyLength, byType.UDP_CHECK.maxReplyLength, byType.UDP_CHECK.requireReply], [0, 255, false])
})

t.test('virtual_server settings are the real_server defaults, real_server the checker defaults', async (t) => {
  const { model, codes } = load(`${TRACKED}global_defs {
  checker_log_all_failures
}
virtual_server 192.0.2.10 80 {
  protocol TCP
  lb_kind DR
  delay_loop 10
  connect_timeout 3
  retry 4
  delay_before_retry 7
  warmup 2
  alpha
  inhibit_on_failure
  virtualhost vs.example
  real_server 192.0.2.20 80 {
    ${EVERY_CHECKER}
  }
  real_server 192.0.2.21 81 {
    lvs_method TUN
    delay_loop 20
    retry 5
    connect_timeout 4
    warmup 0
    alpha no
    inhibit_on_failure no
    virtualhost rs.example
    TCP_CHECK {
      retry 9
      delay_loop 30
      connect_port 99
      bindto 192.0.2.1
      log_all_failures no
    }
    DNS_CHECK {
      delay_loop 40
    }
    HTTP_GET {
      nb_get_retry 6
      url {
        path /
      }
      url {
        path /v
        virtualhost url.example
      }
    }
    MISC_CHECK {
      misc_path /bin/true
      warmup 5
      alpha
    }
  }
}
`)
  t.same(codes, ['deprecated-keyword'])
  const [rs1, rs2] = model.virtualServers[0].realServers
  t.same([rs1.alpha, rs1.inhibitOnFailure, rs1.connectTimeoutUs, rs1.delayLoopUs, rs1.retry, rs1.delayBeforeRetryUs, rs1.warmupUs, rs1.virtualhost, rs1.lvsMethod.method], [true, true, 3 * S, 10 * S, 4, 7 * S, 2 * S, 'vs.example', 'DR'])
  t.same([rs2.alpha, rs2.inhibitOnFailure, rs2.connectTimeoutUs, rs2.delayLoopUs, rs2.retry, rs2.delayBeforeRetryUs, rs2.warmupUs, rs2.lvsMethod.method], [false, false, 4 * S, 20 * S, 5, 7 * S, 0, 'TUN'])
  // Every timed checker of rs1 takes the virtual_server's values, whatever its own defaults.
  for (const c of rs1.checkers.filter((c) => !['FILE_CHECK', 'BFD_CHECK'].includes(c.type))) {
    t.same([c.alpha, c.delayLoopUs, c.warmupUs, c.retry, c.delayBeforeRetryUs, c.logAllFailures], [true, 10 * S, 2 * S, 4, 7 * S, true], c.type)
  }
  t.equal(rs1.checkers.find((c) => c.type === 'BFD_CHECK')?.alpha, true)
  t.equal(rs1.checkers.find((c) => c.type === 'HTTP_GET')?.virtualhost, 'vs.example')
  const [tcp, dns, http, misc] = rs2.checkers
  t.same(timing(tcp), ['TCP_CHECK', false, 30 * S, 0, 9, 7 * S, 4 * S, '192.0.2.21', 99])
  t.same([tcp.bindto, tcp.logAllFailures], ['192.0.2.1', false])
  t.same(timing(dns), ['DNS_CHECK', false, 40 * S, 0, 5, 7 * S, 4 * S, '192.0.2.21', 81])
  // nb_get_retry (legacy) is retry.
  t.same(timing(http), ['HTTP_GET', false, 20 * S, 0, 6, 7 * S, 4 * S, '192.0.2.21', 81])
  t.equal(http.virtualhost, 'rs.example')
  t.same((http.urls as Array<{ virtualhost: string }>).map((u) => u.virtualhost), ['rs.example', 'url.example'])
  t.same(timing(misc), ['MISC_CHECK', true, 20 * S, 5 * S, 5, 7 * S, undefined, undefined, undefined])
})

t.test("warmup and DNS_CHECK's delay_before_retry follow the checker's own delay_loop", async (t) => {
  const { model } = load(`virtual_server 192.0.2.10 80 {
  real_server 192.0.2.20 80 {
    TCP_CHECK {
      delay_loop 30
    }
    DNS_CHECK {
      delay_loop 40
    }
  }
  real_server 192.0.2.21 81 {
    delay_loop 25
    DNS_CHECK {
    }
  }
  real_server 192.0.2.22 {
    warmup 3
    TCP_CHECK {
      delay_loop 30
    }
  }
}
`)
  const [rs1, rs2, rs3] = model.virtualServers[0].realServers
  t.same(timing(rs1.checkers[0]).slice(0, 6), ['TCP_CHECK', false, 30 * S, 30 * S, 1, 1 * S])
  t.same(timing(rs1.checkers[1]).slice(0, 6), ['DNS_CHECK', false, 40 * S, 40 * S, 3, 40 * S])
  t.same(timing(rs2.checkers[0]).slice(0, 6), ['DNS_CHECK', false, 25 * S, 25 * S, 3, 25 * S])
  t.same(timing(rs3.checkers[0]).slice(0, 6), ['TCP_CHECK', false, 30 * S, 3 * S, 1, 1 * S])
  t.equal(rs3.checkers[0].connectPort, undefined, 'a real_server without a port: no connect_port')
})

t.test('smtp_alert: off for a virtual_server, on for a real_server, unless global_defs says', async (t) => {
  const vsText = 'virtual_server 192.0.2.10 80 {\n  smtp_alert yes\n  real_server 192.0.2.20 80 {\n  }\n  real_server 192.0.2.21 80 {\n    smtp_alert no\n  }\n}\nvirtual_server 192.0.2.11 80 {\n  real_server 192.0.2.22 80 {\n  }\n}\n'
  const plain = load(vsText).model.virtualServers
  t.same(plain.map((vs) => [vs.smtpAlert, ...vs.realServers.map((rs) => rs.smtpAlert)]), [[true, true, false], [false, true]])
  const off = load('global_defs {\n  smtp_alert_checker off\n}\n' + vsText).model.virtualServers
  t.same(off.map((vs) => [vs.smtpAlert, ...vs.realServers.map((rs) => rs.smtpAlert)]), [[true, false, false], [false, false]])
})

t.test('sorry_server_lvs_method and protocol', async (t) => {
  const { model } = load('virtual_server fwmark 5 {\n  lvs_method DR\n  real_server 192.0.2.20 80 {\n  }\n}\nvirtual_server 192.0.2.10 80 {\n  lvs_method DR\n  sorry_server_lvs_method NAT\n  protocol SCTP\n}\n')
  const [fw, addr] = model.virtualServers
  t.same([fw.protocol, fw.sorryServerLvsMethod.method, fw.realServers[0].lvsMethod.method], [undefined, 'DR', 'DR'])
  t.same([addr.protocol, addr.sorryServerLvsMethod.method], ['SCTP', 'NAT'])
})

t.test('url regex is read with keepalived script quoting, one word', async (t) => {
  const url = (regex: string): string => `virtual_server 192.0.2.10 80 {\n  real_server 192.0.2.20 80 {\n    HTTP_GET {\n      url {\n        path /\n        ${regex}\n      }\n    }\n  }\n}\n`
  const regexOf = (text: string): { regex: unknown, codes: string[], messages: string[] } => {
    const r = load(url(text))
    return { regex: (r.model.virtualServers[0].realServers[0].checkers[0].urls as Array<{ regex: unknown }>)[0].regex, codes: r.codes, messages: r.messages }
  }
  // The values keepalived 2.2.7 printed for these lines (`keepalived -C -d`).
  t.same(regexOf("regex 'OK  now'"), { regex: 'OK  now', codes: [], messages: [] })
  t.same(regexOf('regex a"b c"d'), { regex: 'ab cd', codes: [], messages: [] })
  t.same(regexOf('regex "^OK\\\\.\\$"'), { regex: '^OK\\.$', codes: [], messages: [] })
  t.same(regexOf('regex "^OK( [0-9]+)?$"').regex, '^OK( [0-9]+)?$')
  // keepalived's generic pass reports "Unmatched quote"; the regex is still a"b c.
  const esc = regexOf('regex "a\\"b c"')
  t.same([esc.regex, esc.codes], ['a"b c', ['unterminated-quote']])
  const two = regexOf('regex a b')
  t.same([two.regex, two.codes], [undefined, ['extra-arguments']])
  t.match(two.messages[0], /ignores this regex/)
  t.same(regexOf('regex"^OK"').codes.length > 0, true, 'a glued quote leaves no expression; reported, never thrown')
})

t.test('DNS_CHECK type does not replace the checker type', async (t) => {
  const { model } = load('virtual_server 192.0.2.10 53 {\n  real_server 192.0.2.20 53 {\n    DNS_CHECK {\n      type AAAA\n      name example.com\n    }\n  }\n}\n')
  const c = model.virtualServers[0].realServers[0].checkers[0]
  t.same([c.type, c.queryType, c.name], ['DNS_CHECK', 'AAAA', 'example.com'])
})
