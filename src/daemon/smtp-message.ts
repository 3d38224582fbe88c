// The text of keepalived's SMTP alerts for VRRP: subject and body per instance or sync group
// state (keepalived 2.2.7's wording), and the RFC 5322 message around them (CRLF line ends,
// Date/From/Subject/X-Mailer/To headers). Pure: the caller gives the time. Dot-stuffing is the
// transport's job (smtp-client.ts), not this file's.

export type AlertState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'
export type AlertKind = 'instance' | 'group'

export interface AlertText {
  subject: string
  body: string
}

// KEEPALIVED vrrp_smtp_notifier / vrrp_sync_smtp_notifier: these subjects and bodies, the subject
// prefixed with "[<router_id>] VRRP Instance <name> - " or "[<router_id>] VRRP Group <name> - ".
const SUBJECT: Record<AlertState, string> = {
  MASTER: 'Entering MASTER state',
  BACKUP: 'Entering BACKUP state',
  FAULT: 'Entering FAULT state',
  STOP: 'Stopping'
}
const INSTANCE_BODY: Record<AlertState, string> = {
  MASTER: '=> VRRP Instance is now owning VRRP VIPs <=',
  BACKUP: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  FAULT: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  STOP: '=> VRRP Instance stopping <='
}
const GROUP_BODY: Record<AlertState, string> = {
  MASTER: '=> All VRRP group instances are now in MASTER state <=',
  BACKUP: '=> All VRRP group instances are now in BACKUP state <=',
  FAULT: '=> All VRRP group instances are now in FAULT state <=',
  STOP: '=> All VRRP group instances are now stopping <='
}

export function alertText (kind: AlertKind, name: string, state: AlertState, routerId: string): AlertText {
  const what = kind === 'instance' ? 'VRRP Instance' : 'VRRP Group'
  return {
    subject: `[${routerId}] ${what} ${name} - ${SUBJECT[state]}`,
    body: (kind === 'instance' ? INSTANCE_BODY : GROUP_BODY)[state]
  }
}

export interface MailMessage {
  date: Date
  from: string
  to: readonly string[]
  subject: string
  body: string
}

/** KEEPALIVED sends `X-Mailer: Keepalived`; this keeps filters on that prefix working. */
export const X_MAILER = 'Keepalived (floatip)'

/**
 * The message as sent after DATA, before dot-stuffing: headers, an empty line, the body, every
 * line ended by CRLF (bare CR or LF in the body become CRLF; in a header, a space).
 */
export function formatMessage (m: MailMessage): string {
  const header = (name: string, value: string): string => `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`
  return header('Date', rfc5322Date(m.date)) +
    header('From', m.from) +
    header('Subject', m.subject) +
    header('X-Mailer', X_MAILER) +
    header('To', m.to.join(', ')) +
    '\r\n' +
    m.body.replace(/\r\n|\r|\n/g, '\r\n') + '\r\n'
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** RFC 5322 §3.3 date-time in local time, e.g. "Tue, 04 Mar 2025 09:05:01 +0100" (keepalived's strftime "%a, %d %b %Y %H:%M:%S %z"). */
export function rfc5322Date (d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0')
  const offsetMin = -d.getTimezoneOffset()
  const abs = Math.abs(offsetMin)
  const zone = `${offsetMin < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  return `${DAYS[d.getDay()]}, ${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone}`
}
