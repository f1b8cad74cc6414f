import t from 'tap'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { tempDir } from '../helpers/temp-files.js'

const UNIT = join(projectRoot, 'config', 'systemd', 'casebridge.service')

/** `systemd-analyze verify` on a copy of `text`; it needs no running systemd. Missing, it fails the test saying how to get it. */
async function verify (text: string, dir: string): Promise<{ code: number | null; output: string }> {
  // verify checks that ExecStart's program exists: point it at this machine's node where /usr/bin/node is not it.
  const file = join(dir, 'casebridge.service')
  writeFileSync(file, process.execPath === '/usr/bin/node' ? text : text.replaceAll('/usr/bin/node ', `${process.execPath} `))
  return await new Promise((resolve, reject) => {
    const child = spawn('systemd-analyze', ['verify', file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => { output += c.toString() })
    child.stderr.on('data', (c: Buffer) => { output += c.toString() })
    child.on('error', err => reject(new Error(`systemd-analyze is needed (Debian package systemd; .ci/prepare installs it): ${err.message}`)))
    child.on('close', code => resolve({ code, output }))
  })
}

t.test('the systemd unit passes systemd-analyze verify without a single complaint', async t => {
  const result = await verify(readFileSync(UNIT, 'utf8'), tempDir(t).dir)
  t.equal(result.code, 0, result.output)
  t.equal(result.output.trim(), '', 'no warning either')
})

t.test('the verification would catch a broken unit (so the check above means something)', async t => {
  const broken = readFileSync(UNIT, 'utf8').replace('[Service]\n', '[Service]\nRestartt=always\n')
  const result = await verify(broken, tempDir(t).dir)
  t.match(result.output, /Unknown key( name)? 'Restartt'/)
})

t.test('the unit runs unprivileged, restarts on failure and is hardened', async t => {
  const text = readFileSync(UNIT, 'utf8')
  const settings = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line)
    if (m !== null) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!])
  }
  const one = (key: string): string | undefined => settings.get(key)?.at(-1)
  t.ok(one('User') !== undefined && one('User') !== 'root' && one('User') !== '0', `User=${one('User') ?? ''}`)
  t.equal(one('Restart'), 'on-failure')
  t.equal(one('NoNewPrivileges'), 'yes')
  t.equal(one('ProtectSystem'), 'strict')
  t.equal(one('ProtectHome'), 'yes')
  t.equal(one('PrivateTmp'), 'yes')
  t.equal(one('CapabilityBoundingSet'), '', 'no capability at all')
  t.ok(settings.get('ReadWritePaths')?.includes(one('WorkingDirectory') ?? '-'), 'the work dir is writable')
  t.notMatch(text, /^Environment=.*(TOKEN|KEY|PASSWORD|REDIS_URL)=(?!%d\/)/m, 'no secret value in the unit: credentials files only')
})
