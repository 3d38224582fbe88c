// Users and groups read from the files when NSS reads them first: the pure parsers on written
// texts, the reader on temporary files, and the system's own answers against getent(1).
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { filesComeFirst, filesEntry, findEntry } from '../../src/daemon/nss-files.js'
import { getentLookup } from '../../src/daemon/script-user.js'

t.test('filesComeFirst: only plain `files` as the first source', async (t) => {
  const conf = [
    '# passwd: ldap',
    'passwd:         files systemd',
    'group:   compat',
    'shadow: files',
    'hosts: files dns'
  ].join('\n')
  t.ok(filesComeFirst(conf, 'passwd'))
  t.notOk(filesComeFirst(conf, 'group'), 'compat pulls in other sources through +/- lines')
  t.notOk(filesComeFirst('passwd: sss files\ngroup: files', 'passwd'), 'another source first')
  t.ok(filesComeFirst('passwd: sss files\ngroup: files [NOTFOUND=return] ldap', 'group'), 'an action after files')
  t.notOk(filesComeFirst('hosts: files', 'passwd'), 'no line: not assumed')
  t.notOk(filesComeFirst('#passwd: files', 'passwd'), 'a commented line does not count')
})

t.test('findEntry: by name or by id, first match, compat lines skipped', async (t) => {
  const passwd = [
    '+ldapuser::::::',
    'root:x:0:0:root:/root:/bin/bash',
    '# ops:x:7:7::/:/bin/sh',
    'ops:x:1001:1002:Ops:/home/ops:/bin/sh',
    'ops:x:1003:1003:again:/:/bin/sh',
    ''
  ].join('\n')
  t.same(findEntry(passwd, 'ops', 0)?.slice(0, 4), ['ops', 'x', '1001', '1002'], 'the first line wins, as in glibc')
  t.same(findEntry(passwd, '0', 2)?.[0], 'root', 'by id')
  t.equal(findEntry(passwd, 'ldapuser', 0), null, 'a + line is not an entry')
  t.equal(findEntry(passwd, '7', 2), null, 'a comment is not an entry')
  t.equal(findEntry(passwd, 'nobody', 0), null)
})

t.test('filesEntry reads the files only when nsswitch.conf says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-nss-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const paths = { nsswitch: join(dir, 'nsswitch.conf'), passwd: join(dir, 'passwd'), group: join(dir, 'group') }
  writeFileSync(paths.passwd, 'alice:x:2001:2002::/:/bin/sh\n')
  writeFileSync(paths.group, 'staff:x:2002:alice\n')
  writeFileSync(paths.nsswitch, 'passwd: files\ngroup: sss files\n')
  t.same(filesEntry('passwd', 'alice', paths)?.[2], '2001')
  t.same(filesEntry('passwd', '2001', paths)?.[0], 'alice', 'digits: an id, as getent takes them')
  t.equal(filesEntry('group', 'staff', paths), null, 'sss first: the caller asks getent')
  t.equal(filesEntry('passwd', 'bob', paths), null, 'not in the file: the caller asks getent')
  rmSync(paths.nsswitch)
  t.equal(filesEntry('passwd', 'alice', paths), null, 'no nsswitch.conf: the caller asks getent')
})

t.test('on this system the lookups answer as getent(1) does', async (t) => {
  const getent = (db: string, key: string): string[] | null => {
    try {
      return execFileSync('getent', [db, key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].split(':')
    } catch {
      return null
    }
  }
  for (const name of ['root', 'nobody', 'daemon', 'floatip-no-such-user']) {
    const g = getent('passwd', name)
    t.same(getentLookup.user(name), g === null ? null : { name: g[0], uid: Number(g[2]), gid: Number(g[3]) }, `user ${name}`)
  }
  for (const name of ['root', 'daemon', 'nogroup', 'floatip-no-such-group']) {
    const g = getent('group', name)
    t.same(getentLookup.group(name), g === null ? null : { name: g[0], gid: Number(g[2]) }, `group ${name}`)
  }
  t.equal(getentLookup.groupName(0), getent('group', '0')?.[0] ?? null, 'group name of gid 0')
})
