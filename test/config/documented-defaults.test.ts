/**
 * The defaults the READMEs document are the schemas' `default`s: the tables of keys and
 * defaults in config/README.md and adapters/README.md are read and every literal default is
 * compared with the schema it documents, so a default changed in one place only fails here.
 * Words that are no literal ("unset", "learned", "per kind", "inbox", …) are not compared;
 * "—" means the schema has no default for the key.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot, schemaPath } from '../../src/paths.js'

type Node = Record<string, unknown>
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)
const schema = (name: string): Node => { const s: unknown = JSON.parse(readFileSync(schemaPath(name), 'utf8')); if (!isNode(s)) throw new Error(name); return s }
const readme = (name: string): string => readFileSync(join(projectRoot, name), 'utf8')

/** The schema node of `a.b[].c` (properties, `[]` into items, `$ref` to `$defs` followed). */
function nodeAt (root: Node, path: string): Node | undefined {
  let here: Node | undefined = root
  const follow = (n: Node): Node => {
    const ref = n.$ref
    if (typeof ref !== 'string') return n
    const def = (root.$defs as Node | undefined)?.[ref.replace('#/$defs/', '')]
    return isNode(def) ? { ...def, ...n } : n
  }
  const parts = path.split('.')
  for (const [i, part] of parts.entries()) {
    if (here === undefined) return undefined
    // `list[]` inside a path steps into the items; at its end it names the list itself.
    const array = part.endsWith('[]') && i < parts.length - 1
    const props: unknown = follow(here).properties
    const next: unknown = isNode(props) ? props[part.replace(/\[\]$/, '')] : undefined
    if (!isNode(next)) return undefined
    here = array ? (isNode(follow(next).items) ? follow(next).items as Node : undefined) : next
  }
  return here === undefined ? undefined : follow(here)
}

/** A documented default as a value, `absent` for "—", or undefined when it is words, not a literal. */
function literal (text: string): { value: unknown } | 'absent' | undefined {
  const s = text.trim()
  if (s === '—') return 'absent'
  const bare = s.replace(/^`(.*)`$/, '$1')
  if (/^-?\d+(\.\d+)?$/.test(bare)) return { value: Number(bare) }
  if (bare === 'true' || bare === 'false') return { value: bare === 'true' }
  if (/^\[.*\]$/.test(bare)) return { value: JSON.parse(bare) }
  if (/^\{.*\}$/.test(bare)) { try { return { value: JSON.parse(bare) } } catch { return undefined } }
  if (/^`[^`]*`$/.test(s)) return { value: bare }
  return undefined
}

/** The rows of every `| key… | default | meaning |` table: [key cell, default cell]. */
function keyTables (text: string): { header: string; rows: [string, string][] }[] {
  const tables: { header: string; rows: [string, string][] }[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^\| key\b.*\| default \| meaning \|$/.test(lines[i]!)) continue
    const rows: [string, string][] = []
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) {
      // Cells split on " | " outside backticks (a default may hold a "|" in none of the tables today).
      const cells = lines[j]!.slice(2, -2).split(' | ')
      rows.push([cells[0]!, cells[1]!])
    }
    tables.push({ header: lines[i]!, rows })
  }
  return tables
}

/** "`a.b`, `.c`" → ["a.b", "a.c"]; undefined when the cell is more than a list of keys. */
function keysOf (cell: string): string[] | undefined {
  const parts = cell.split(', ')
  if (!parts.every(p => /^`[\w.[\]]+`$/.test(p))) return undefined
  const keys: string[] = []
  for (const p of parts) {
    const key = p.slice(1, -1)
    keys.push(key.startsWith('.') ? keys[keys.length - 1]!.replace(/\.[^.]+$/, key) : key)
  }
  return keys
}

function checkTable (t: Test, rows: readonly [string, string][], schemas: readonly string[]): number {
  let compared = 0
  for (const [keyCell, defaultCell] of rows) {
    const keys = keysOf(keyCell)
    if (keys === undefined) continue
    const defaults = keys.length === 1 ? [defaultCell] : defaultCell.split(', ')
    if (defaults.length !== keys.length) continue
    keys.forEach((key, i) => {
      const documented = literal(defaults[i]!)
      if (documented === undefined) return
      for (const name of schemas) {
        const node = nodeAt(schema(name), key)
        t.ok(node, `${name}: ${key} is a key of the schema`)
        if (node === undefined) continue
        if (documented === 'absent') t.notOk('default' in node, `${name}: ${key} has no default, as documented`)
        else t.same(node.default, documented.value, `${name}: the default of ${key} is ${JSON.stringify(documented.value)}, as documented`)
        compared++
      }
    })
  }
  return compared
}

t.test('config/README.md: the configuration table gives the defaults of schemas/config.schema.json', async t => {
  const tables = keyTables(readme('config/README.md'))
  t.equal(tables.length, 1, 'one table of hub keys (a new one needs a line in this test)')
  t.ok(checkTable(t, tables[0]!.rows, ['config.schema.json']) >= 40, 'most rows were compared')
})

t.test('adapters/README.md: each table of keys gives the defaults of its adapter schemas', async t => {
  const tables = keyTables(readme('adapters/README.md'))
  const schemasOf = [
    ['http-pull.schema.json', 'sql-source.schema.json'], // all three sources: the look-back (the sftp source has none: files)
    ['sftp-source.schema.json'],
    ['dir-drop-source.schema.json', 'sftp-source.schema.json'],
    ['sql-source.schema.json'],
    ['sftp-target.schema.json'],
  ].map(names => names.map(n => `adapters/${n}`))
  t.equal(tables.length, schemasOf.length, 'the tables this test knows (a new one needs a line here)')
  tables.forEach((table, i) => { t.ok(checkTable(t, table.rows, schemasOf[i]!) > 0, `table ${i + 1} (${table.header}) was compared`) })
})

t.test('config/README.md: the adapter summary gives the defaults of the adapter schemas', async t => {
  const text = readme('config/README.md')
  const start = text.indexOf('| adapter | keys (default) |')
  t.ok(start > 0, 'the table is there')
  const rows = text.slice(start).split('\n').slice(2).filter((l, i, all) => l.startsWith('|') && all.slice(0, i).every(p => p.startsWith('|')))
  const schemaOf: Record<string, string[]> = {
    'source `http-pull`': ['http-pull'], 'target `http-batch`': ['http-batch'], 'source `sftp`': ['sftp-source'], 'source `dir-drop`': ['dir-drop-source'],
    'file-drop keys': ['dir-drop-source', 'sftp-source'], 'source `sql-postgres`, `sql-mysql`': ['sql-source'], 'target `sftp`': ['sftp-target'],
    'target `http-profile`': ['http-profile'], 'target `sql-table`': ['sql-table'],
    'writer `http`': ['feedback-http'], 'writer `table`': ['feedback-table'], 'writer `file`': ['feedback-file'],
  }
  let compared = 0
  for (const row of rows) {
    const [who, keys] = row.slice(2, -2).split(' | ')
    const names = schemaOf[who!]
    t.ok(names, `the row "${who}" names a known adapter`)
    for (const m of (keys ?? '').matchAll(/`([\w.]+)` \(([^)]*)\)/g)) {
      // "(`.ok`, `.done`)" is a list; "(`+08:00`, also the session's)", "(true: ask …)": the literal comes first.
      const inner = m[2]!
      const list = /^`[^`]+`(, `[^`]+`)+$/.test(inner) ? { value: inner.split(', ').map(v => v.slice(1, -1)) } : undefined
      const documented = list ?? literal(inner.split(/[,:]/)[0]!)
      if (documented === undefined || documented === 'absent' || / or /.test(inner) || inner.startsWith('`{')) continue
      for (const name of names ?? []) {
        const node = nodeAt(schema(`adapters/${name}.schema.json`), m[1]!)
        t.ok(node, `${name}: ${m[1]} is a key of the schema`)
        t.same(node?.default, documented.value, `${name}: the default of ${m[1]} is ${JSON.stringify(documented.value)}, as documented`)
        compared++
      }
    }
  }
  t.ok(compared >= 20, `most defaults were compared (${compared})`)
})
