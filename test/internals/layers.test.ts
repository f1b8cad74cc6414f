/**
 * Layers point one way: the folders of src (and adapters, as one layer) import each other
 * without a cycle, and no Redis key of the ledger is built or read outside src/ledger.
 * Read from the sources' own import lines, so anyone can run it: `npx tap test/internals/layers.test.ts`.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { projectRoot } from '../../src/paths.js'

function sources (dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => relative(projectRoot, join(e.parentPath, e.name)))
}

/** The layer of a file: its folder under src (a file at the top of src is a layer of its own), or "adapters". */
function layerOf (file: string): string {
  const parts = file.split('/')
  if (parts[0] === 'adapters') return 'adapters'
  return parts.length > 2 ? `src/${parts[1]}` : file
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g

function importsOf (file: string): string[] {
  const text = readFileSync(join(projectRoot, file), 'utf8')
  return [...text.matchAll(IMPORT)].map(m => relative(projectRoot, resolve(dirname(join(projectRoot, file)), (m[1] ?? m[2]) as string)).replace(/\.js$/, '.ts'))
}

const files = [...sources('src'), ...sources('adapters')].filter(f => !f.startsWith('src/generated/'))
const graph = new Map<string, Map<string, string>>()
for (const file of files) {
  for (const target of importsOf(file)) {
    if (!target.startsWith('src/') && !target.startsWith('adapters/')) continue
    const from = layerOf(file)
    const to = layerOf(target)
    if (from === to || target.startsWith('src/generated/')) continue
    if (!graph.has(from)) graph.set(from, new Map())
    graph.get(from)?.set(to, `${file} → ${target}`)
  }
}

/** The groups of layers that import each other in a circle (strongly connected, Tarjan), each with the imports inside it. */
function cycles (): string[][] {
  let index = 0
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const out: string[][] = []
  const visit = (v: string): void => {
    order.set(v, index); low.set(v, index); index++; stack.push(v)
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!order.has(w)) { visit(w); low.set(v, Math.min(low.get(v) as number, low.get(w) as number)) } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, order.get(w) as number))
    }
    if (low.get(v) !== order.get(v)) return
    const group: string[] = []
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) { group.push(w); if (w === v) break }
    if (group.length > 1) out.push(group.flatMap(a => group.filter(b => graph.get(a)?.has(b)).map(b => graph.get(a)?.get(b) as string)).sort())
  }
  for (const v of graph.keys()) if (!order.has(v)) visit(v)
  return out
}

t.test('the folders of src and adapters import each other without a cycle', async t => {
  t.same(cycles(), [], 'no folder imports, through any others, a folder that imports it')
})

t.test('no file outside src/ledger builds or reads a key of the ledger', async t => {
  const outside = files.filter(f => !f.startsWith('src/ledger/'))
  const users = outside.filter(f => importsOf(f).includes('src/ledger/keys.ts') || /\bledger\.keys\(|\.keys\(agency/.test(readFileSync(join(projectRoot, f), 'utf8')))
  t.same(users, [], 'only src/ledger knows its keys')
})
