// Debian's nginx for lab tests: a private site per router (its own prefix, config, pid file, error
// log and temp paths under a test directory; nothing under /etc/nginx or /var) serving one page
// that names the router. Must not: touch a host-wide nginx (a package install may have started
// one) or end any process by name: the caller starts and signals nginx by pid.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface NginxSite {
  /** nginx's prefix (-p): config, pid file, error log, temp paths and the page live here. */
  readonly prefix: string
  readonly conf: string
  readonly pidFile: string
  readonly errorLog: string
  /** The page's text ("served by r1\n"). */
  readonly page: string
}

export interface NginxSiteOptions {
  /** The name the page carries. */
  name: string
  /** `listen` addresses (host:port), e.g. the router's address, 127.0.0.1 and the VIP. */
  listen: string[]
  /** `daemon off;` (default): nginx stays in the foreground, so the pid the caller spawned is the master's. */
  foreground?: boolean
}

/** Writes the site under `dir/<name>` and returns it; `argv` starts it. */
export function writeNginxSite (dir: string, options: NginxSiteOptions): NginxSite {
  const prefix = join(dir, `nginx-${options.name}`)
  mkdirSync(join(prefix, 'html'), { recursive: true })
  mkdirSync(join(prefix, 'tmp'), { recursive: true })
  // nginx's workers run as nobody: they must be able to read the page.
  for (const d of [dir, prefix, join(prefix, 'html')]) chmodSync(d, 0o755)
  const page = `served by ${options.name}\n`
  writeFileSync(join(prefix, 'html', 'index.html'), page)
  chmodSync(join(prefix, 'html', 'index.html'), 0o644)
  const site: NginxSite = {
    prefix,
    conf: join(prefix, 'nginx.conf'),
    pidFile: join(prefix, 'nginx.pid'),
    errorLog: join(prefix, 'error.log'),
    page
  }
  writeFileSync(site.conf, nginxConf(site, options))
  return site
}

export function nginxConf (site: NginxSite, options: NginxSiteOptions): string {
  const tmp = join(site.prefix, 'tmp')
  return [
    `# ${options.name}'s nginx in the floatip lab: private paths only.`,
    ...((options.foreground ?? true) ? ['daemon off;'] : []),
    'worker_processes 1;',
    `pid ${site.pidFile};`,
    `error_log ${site.errorLog};`,
    'events { worker_connections 64; }',
    'http {',
    '    access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `    ${k}_temp_path ${join(tmp, k)};`),
    '    server {',
    ...options.listen.map((l) => `        listen ${l};`),
    `        root ${join(site.prefix, 'html')};`,
    '    }',
    '}',
    ''
  ].join('\n')
}

/** argv that starts the site (-e: even start-up errors go to the private log, not /var/log/nginx). */
export function nginxArgv (site: NginxSite): string[] {
  return ['nginx', '-p', site.prefix, '-c', site.conf, '-e', site.errorLog]
}
