import type { Test } from 'tap'
import type { RawRecord, SourceAdapter, SourceCursor } from '../../src/contracts/source-adapter.js'
import { CaseBridgeError } from '../../src/errors.js'

/** What the source conformance suite needs to know about one adapter kind. */
export interface SourceUnderTest {
  /** A fresh adapter over the same data: each call is a restart of the hub. */
  create (): SourceAdapter
  /** An adapter whose system cannot be reached (closed port, missing directory …). */
  createUnreachable (): SourceAdapter
  /** Add `n` new records at the source; resolves with their ids. */
  seed (n: number): Promise<string[]>
  /** The id of a raw record as the adapter delivers it. */
  idOf (record: RawRecord): string
  /** Records per page the adapter was configured with. */
  readonly pageSize: number
}

interface Pulled { ids: string[]; pages: number; cursor: SourceCursor }

/** Pull like the core does: page by page, remembering the last cursor; `maxPages` stops early. */
async function pull (source: SourceAdapter, cursor: SourceCursor, subject: SourceUnderTest, maxPages = Infinity): Promise<Pulled> {
  const out: Pulled = { ids: [], pages: 0, cursor }
  const signal = new AbortController().signal
  for await (const page of source.pull(cursor, signal)) {
    out.ids.push(...page.records.map(r => subject.idOf(r)))
    if (page.cursor !== null) out.cursor = page.cursor
    if (++out.pages >= maxPages) break
  }
  return out
}

/**
 * The contract every source adapter keeps (src/contracts/source-adapter.ts), checked
 * against a real system: one call gives an adapter kind the whole suite.
 */
export async function sourceConformance (t: Test, kind: string, subject: SourceUnderTest): Promise<void> {
  const all: string[] = []
  let lastCursor: SourceCursor = null

  await t.test(`${kind}: a pull interrupted after its first page and resumed by a fresh adapter from that page's cursor misses no record`, async t => {
    all.push(...await subject.seed(subject.pageSize * 2 + Math.ceil(subject.pageSize / 2)))
    const first = subject.create()
    const head = await pull(first, null, subject, 1)
    await first.close()
    t.equal(head.pages, 1, 'the first page came')
    t.ok(head.ids.length > 0 && head.ids.length <= subject.pageSize, `the page holds 1..${subject.pageSize} records (${head.ids.length})`)
    const second = subject.create()
    const rest = await pull(second, head.cursor, subject)
    await second.close()
    const got = new Set([...head.ids, ...rest.ids])
    t.same(all.filter(id => !got.has(id)), [], 'every seeded record was delivered')
    t.same([...got].filter(id => !all.includes(id)), [], 'nothing that was not seeded')
    t.ok(rest.pages >= 2, `the rest came in pages (${rest.pages})`)
    lastCursor = rest.cursor
  })

  await t.test(`${kind}: pulling again after the end yields nothing new`, async t => {
    const source = subject.create()
    const again = await pull(source, lastCursor, subject)
    await source.close()
    t.same(again.ids.filter(id => !all.includes(id)), [], 'no record outside what was already delivered')
    t.equal(new Set(again.ids).size, again.ids.length, 'no record twice within one pull')
    lastCursor = again.cursor
  })

  await t.test(`${kind}: records added after the end arrive with the next pull from the last cursor`, async t => {
    const added = await subject.seed(3)
    all.push(...added)
    const source = subject.create()
    const next = await pull(source, lastCursor, subject)
    await source.close()
    t.same(added.filter(id => !next.ids.includes(id)), [], 'every added record arrived')
  })

  await t.test(`${kind}: close is idempotent, also without a pull`, async t => {
    const used = subject.create()
    await pull(used, lastCursor, subject)
    await used.close()
    await used.close()
    const unused = subject.create()
    await unused.close()
    await unused.close()
    t.pass('closing twice did not throw')
  })

  await t.test(`${kind}: an unreachable system fails the pull with a typed error`, async t => {
    const source = subject.createUnreachable()
    let caught: unknown
    try {
      await pull(source, null, subject)
    } catch (err) {
      caught = err
    } finally {
      await source.close()
    }
    t.ok(caught instanceof CaseBridgeError, `a CaseBridgeError (${String(caught)})`)
    if (caught instanceof CaseBridgeError) {
      t.match(caught.code, /^CB_ERR_[A-Z_]+$/, 'with a stable code')
      t.ok(['retriable', 'fatal', 'config'].includes(caught.family), `in a family the queue acts on (${caught.family})`)
    }
  })

  await t.test(`${kind}: listAll, where offered, lists every record without moving anything`, async t => {
    const source = subject.create()
    if (source.listAll === undefined) {
      await source.close()
      t.equal(kind.includes('drop') || kind.includes('sftp'), true, 'only file sources go without a full listing')
      return
    }
    const listed = new Set<string>()
    for await (const batch of source.listAll(new AbortController().signal)) {
      t.ok(batch.length <= subject.pageSize, 'listing pages stay within the page size')
      for (const r of batch) listed.add(subject.idOf(r))
    }
    await source.close()
    t.same(all.filter(id => !listed.has(id)), [], 'every record is listed')
  })
}
