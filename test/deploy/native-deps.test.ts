import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { nativeMarks, nativeProductionDependencies } from './native-deps.js'
import { tempDir } from '../helpers/temp-files.js'

// config/README.md says which production dependencies carry native code, so an ARM64 server is known to work.

const DOC_HEADING = '### Native and optional binaries'

/** The package names (backticked, `*` a wildcard) in the first column of the docs' native table. */
function documentedNative (): string[] {
  const text = readFileSync(join(projectRoot, 'config', 'README.md'), 'utf8')
  const start = text.indexOf(DOC_HEADING)
  if (start < 0) throw new Error(`config/README.md has no "${DOC_HEADING}" section`)
  const section = text.slice(start + DOC_HEADING.length).split(/\n#{1,3} /)[0]!
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map(m => m[1]!)
}
const matches = (pattern: string, name: string): boolean => new RegExp(`^${pattern.split('*').map(p => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`).test(name)

t.test('every production dependency with native code or binaries is listed in config/README.md, and every listed one exists', async t => {
  const findings = nativeProductionDependencies(projectRoot)
  const documented = documentedNative()
  t.ok(findings.length > 0, `${findings.length} found: ${findings.map(f => f.name).join(', ')}`)
  for (const f of findings) t.ok(documented.some(d => matches(d, f.name)), `${f.name} (${f.marks.join('; ')}) is in the native table of config/README.md`)
  for (const d of documented) t.ok(findings.some(f => matches(d, f.name)), `the documented ${d} is still a native production dependency`)
})

t.test('the detector tells native packages from pure JavaScript ones', async t => {
  const dir = tempDir(t).dir
  const pkg = (name: string, json: Record<string, unknown>, files: Record<string, string> = {}): string => {
    const at = join(dir, name)
    mkdirSync(at, { recursive: true })
    writeFileSync(join(at, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...json }))
    for (const [file, text] of Object.entries(files)) { mkdirSync(join(at, file, '..'), { recursive: true }); writeFileSync(join(at, file), text) }
    return at
  }
  t.same(nativeMarks(pkg('pure', { scripts: { test: 'tap' } }, { 'index.js': '' })).marks, [], 'pure JavaScript: nothing')
  t.match(nativeMarks(pkg('addon', { scripts: { install: 'node-gyp rebuild' } }, { 'src/binding.gyp': '{}' })).marks, [/C\/C\+\+ addon source \(src\/binding\.gyp\)/, /install script \(install\)/])
  t.match(nativeMarks(pkg('prebuilt', { os: ['linux'], cpu: ['arm64'] }, { 'lib/x.node': '' })).marks, [/compiled binaries \(1 \*\.node\)/, /prebuilt for linux\/arm64/])
})

t.test('without their native accelerators the dependencies still work (an x64-built bundle on ARM64)', async t => {
  const script = `
    import { pack, unpack, isNativeAccelerationEnabled } from 'msgpackr'
    const value = { caseNumber: '沛环罚〔2024〕1号', n: 3 }
    const back = unpack(pack(value))
    await import('ssh2')
    console.log(JSON.stringify({ native: isNativeAccelerationEnabled, same: JSON.stringify(back) === JSON.stringify(value) }))`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env, MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' } })
  t.equal(run.status, 0, run.stderr)
  t.same(JSON.parse(run.stdout.trim()), { native: false, same: true }, 'msgpackr (BullMQ) in pure JavaScript round-trips; ssh2 loads')
})
