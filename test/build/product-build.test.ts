/**
 * The product build (`npm run build:product`, what the container image and the offline
 * bundle carry) holds the hub — src and adapters — and nothing of the tests, the simulators
 * or the demo; and a product build asked for the demo says why it cannot, in one line.
 */
import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, symlinkSync } from 'node:fs'
import { join, relative } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { tempDir } from '../helpers/temp-files.js'

function filesBelow (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter(e => e.isFile()).map(e => relative(dir, join(e.parentPath, e.name)))
}

t.test('the product build compiles src and adapters only: no test/, no fixtures/ in its output', async t => {
  // Laid out as in the container image: <app>/dist beside <app>/package.json, <app>/schemas and <app>/node_modules.
  const app = tempDir(t).dir
  const out = join(app, 'dist')
  execFileSync(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(projectRoot, 'tsconfig.product.json'), '--outDir', out], { cwd: projectRoot, stdio: 'pipe' })
  const files = filesBelow(out)
  const tops = [...new Set(files.map(f => f.split('/')[0]))].sort()
  t.same(tops, ['adapters', 'src'], 'only src/ and adapters/ at the top of the output')
  t.same(files.filter(f => /(^|\/)(test|fixtures)\//.test(f)), [], 'no file of test/ or fixtures/ anywhere')
  t.ok(files.includes('src/cli/main.js') && files.includes('src/hub.js') && files.some(f => f.startsWith('adapters/')), 'the CLI, the hub and the adapters are there')

  for (const shared of ['node_modules', 'schemas', 'package.json']) symlinkSync(join(projectRoot, shared), join(app, shared))
  const help = spawnSync(process.execPath, [join(out, 'src', 'cli', 'main.js'), 'help'], { encoding: 'utf8', timeout: 30_000 })
  t.equal(help.status, 0, `the product build runs (casebridge help: ${help.stderr.slice(0, 300)})`)
  const demo = spawnSync(process.execPath, [join(out, 'src', 'cli', 'main.js'), 'demo'], { encoding: 'utf8', timeout: 30_000 })
  t.equal(demo.status, 2, 'asked for the demo, the product build exits 2')
  t.match(demo.stderr, /the demo is not part of this build/, 'and says why, in one line')
  t.notMatch(demo.stderr, /\n\s+at /, 'no stack trace')
})
