import type { Test } from 'tap'
import type { SourceAdapter, SourceCursor } from '../../src/contracts/source-adapter.js'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import { silentLogger } from '../../src/logging/logger.js'
import { RemoteUnavailableError } from '../../src/errors.js'

export const ROWS = 10_000
export const SHARED = 3_000
/** Not a divisor of SHARED, so pages end in the middle of the shared timestamp. */
export const PAGE = 700
export const HOSTILE = `O'Brien "quoted" '); DROP TABLE cases; -- \\ 反斜杠`
/**
 * Text ids of the `hostile_keys` table, in ascending order. All its rows share one
 * updated-at, so with one row a page each id in turn is the keyset position bound into the
 * next query: were it ever written into the SQL text, the canary table `x` would be dropped
 * or the query would fail.
 */
export const HOSTILE_IDS = [
  `a'; DROP TABLE x; --`,
  'b"; DROP TABLE x; --',
  `c\\'); DROP TABLE x; /*`,
  'd */ -- plain',
  `e' OR '1'='1`,
]

export const context = (): AdapterContext => ({ logger: silentLogger(), name: 'sql-agency', input: () => ({ encoding: 'utf-8' }) })

/** Row i (1-based) shares the timestamp when i % 10 < 3, so shared rows interleave with the others by id. */
export const sharesTimestamp = (i: number): boolean => i % 10 < 3

/** The acceptance checks every SQL source runs against its real server; `create` makes an adapter (a restart). */
export async function keysetChecks (t: Test, kind: string, create: (overrides?: Record<string, unknown>) => SourceAdapter, tableExists: () => Promise<boolean>): Promise<void> {
  const signal = new AbortController().signal

  await t.test(`${kind}: 10,000 rows, 3,000 sharing one updated-at, arrive once each in one pull`, async t => {
    const source = create()
    const seen = new Map<string, number>()
    let pages = 0
    for await (const page of source.pull(null, signal)) {
      pages++
      for (const r of page.records) seen.set(String(r.id), (seen.get(String(r.id)) ?? 0) + 1)
    }
    await source.close()
    t.equal(seen.size, ROWS, 'no row skipped')
    t.same([...seen.values()].filter(n => n > 1), [], 'no row repeated')
    t.equal(pages, Math.ceil(ROWS / PAGE), `${Math.ceil(ROWS / PAGE)} pages of ${PAGE}`)
  })

  await t.test(`${kind}: restarting after every page from the committed cursor skips nothing and repeats only the row read last (its updated-at is read again, inclusive)`, async t => {
    const seen = new Map<string, number>()
    let cursor: SourceCursor = null
    let restarts = 0
    let lastRead: string | undefined
    for (;;) {
      const source = create() // a fresh adapter each time: a hub restart
      let fresh = false
      for await (const page of source.pull(cursor, signal)) {
        for (const r of page.records) {
          const id = String(r.id)
          if (!seen.has(id)) fresh = true
          seen.set(id, (seen.get(id) ?? 0) + 1)
        }
        cursor = page.cursor
        if (fresh) lastRead = String(page.records.at(-1)?.id)
        break // stop after one page, as a crash right after the commit would
      }
      await source.close()
      if (!fresh) break
      restarts++
    }
    t.equal(seen.size, ROWS, 'no row skipped')
    t.same([...seen].filter(([, n]) => n > 1).map(([id]) => id), [lastRead], 'only the last row came again, on the restart after the end')
    t.ok(restarts >= Math.ceil(ROWS / PAGE), `restarted ${restarts} times`)
  })

  await t.test(`${kind}: a value with quotes, backslashes and "; DROP TABLE" arrives verbatim and harms nothing`, async t => {
    const source = create()
    let hostile: unknown
    for await (const page of source.pull(null, signal)) {
      const row = page.records.find(r => String(r.ay).includes('DROP TABLE'))
      if (row !== undefined) hostile = row.ay
    }
    await source.close()
    t.equal(hostile, HOSTILE)
    t.equal(await tableExists(), true, 'the table is still there')
  })

  await t.test(`${kind}: listAll lists every row, also rows without an updated-at value`, async t => {
    const source = create()
    const ids = new Set<string>()
    for await (const batch of source.listAll!(signal)) for (const r of batch) ids.add(String(r.id))
    await source.close()
    t.equal(ids.size, ROWS + 1, 'every row, the one without updated-at included')
  })

  await t.test(`${kind}: a query running past the statement timeout fails as retriable, soon`, async t => {
    const source = create({ statementTimeoutMs: 300 })
    const started = Date.now()
    const err = await (async () => { for await (const _ of source.pull(null, signal)) { /* drain */ } })().then(() => undefined, (e: unknown) => e)
    await source.close()
    t.ok(err instanceof RemoteUnavailableError, `a RemoteUnavailableError (${String(err)})`)
    t.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`)
  })
}

/** A keyset position holding SQL travels only as a bound parameter: see {@link HOSTILE_IDS}. */
export async function hostileKeyChecks (t: Test, kind: string, create: () => SourceAdapter, tablesExist: () => Promise<boolean>): Promise<void> {
  const signal = new AbortController().signal
  await t.test(`${kind}: ids holding quotes, comment markers and "; DROP TABLE" are bound as keyset parameters: every row arrives once, verbatim, and nothing is dropped`, async t => {
    const seen: string[] = []
    const cursors: string[] = []
    let cursor: SourceCursor = null
    for (;;) {
      const source = create() // a restart after every page: the hostile id comes back from the stored cursor
      let got = false
      for await (const page of source.pull(cursor, signal)) {
        seen.push(...page.records.map(r => String(r.id)))
        cursor = page.cursor
        cursors.push(String(cursor))
        got = true
        break
      }
      await source.close()
      if (!got) break
    }
    t.same(seen, HOSTILE_IDS, 'each id once, verbatim, in keyset order')
    t.ok(cursors.some(c => c.includes('DROP TABLE x')), 'the positions bound into the next query held the hostile text')
    t.equal(await tablesExist(), true, 'the canary table x and the source table are still there')
  })
}
