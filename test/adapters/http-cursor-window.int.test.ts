/**
 * Issue 13 for the `http-pull` source against the agency simulator (GXSJ a local Beijing time
 * at second precision, the system's clock in the Date header): (a) a case changed after a pull
 * to the cursor's exact timestamp, with a smaller case number, is pulled by the next pull;
 * (b) a change made visible late (a transaction held open across several pulls while later
 * changes moved on), stamped behind them, is pulled. Live writers with skewed clocks (c) are
 * in test/e2e/live-cursor.int.test.ts. Defaults throughout (overlap 120 s, settle 5 s).
 */
import t from 'tap'
import { adapterConfigOf } from '../../src/config/load-config.js'
import { httpPullSource } from '../../adapters/http-pull-source.js'
import { startAgencySimulator } from '../../fixtures/agency-sim/index.js'
import type { AgencyRecord } from '../../fixtures/agency-sim/agency-record.js'
import { sim } from '../reconcile/reconcile-world.js'
import { cursorContext, pause, pullOnce } from '../helpers/cursor-kit.js'
import { waitFor } from '../helpers/wait-for.js'

const idOf = (r: Record<string, unknown>): string => String(r.AJBH)

t.test('http-pull: the look-back cursor', async t => {
  const agency = await startAgencySimulator({ port: 0, records: 40, seed: 13 })
  t.teardown(async () => await agency.close())
  const config = adapterConfigOf(httpPullSource, { kind: 'http-pull', baseUrl: agency.url, pageSize: 3, timeoutMs: 5000, retries: 0 })
  const pull = async (cursor: string | null): Promise<{ ids: string[]; cursor: string | null }> => {
    const source = httpPullSource.create(config, cursorContext('cursor-http'))
    try { return await pullOnce(source, cursor, idOf) } finally { await source.close() }
  }
  const put = async (caseNumber: string, body: Record<string, unknown>): Promise<AgencyRecord> => await sim('PUT', `${agency.url}/__sim/cases/${encodeURIComponent(caseNumber)}`, body)
  const add = async (body: Record<string, unknown> = {}): Promise<AgencyRecord> => (await sim<AgencyRecord[]>('POST', `${agency.url}/__sim/cases`, { count: 1, ...body }))[0]!

  const first = await pull(null)
  const seeded = [...new Set(first.ids)].sort()
  t.equal(seeded.length, 40, 'the first pull read every seeded case')
  let cursor = first.cursor

  for (const regime of ['long ago', 'just now'] as const) {
    await t.test(`a case changed after a pull to the cursor's exact timestamp (${regime}) with a smaller case number is pulled by the next pull`, async t => {
      let at: string
      if (regime === 'just now') {
        const newest = await add()
        cursor = (await pull(cursor)).cursor
        at = newest.GXSJ
      } else {
        // The seeded cases were stamped long ago: the cursor holds the newest of their times.
        at = (JSON.parse(cursor!) as { since: string }).since
      }
      const smaller = seeded[regime === 'long ago' ? 0 : 1]!
      await put(smaller, { GXSJ: at, keepTimestamp: true, AQZY: `补充 ${regime}` })
      const next = await pull(cursor)
      t.ok(next.ids.includes(smaller), `${smaller}, moved to ${at}, is pulled`)
      cursor = next.cursor
    })
  }

  await t.test('a change visible only after several pulls, stamped behind the changes pulled meanwhile, is pulled', async t => {
    const records = async (): Promise<number> => (await sim<{ records: number }>('GET', `${agency.url}/__sim/stats`)).records
    const late = await add({ visibleAfterMs: 3000 })
    const visibleBefore = await records()
    const pulledMeanwhile: string[] = []
    let later: AgencyRecord | undefined
    for (let i = 0; i < 6; i++) {
      later = await add({ clockSkewMs: 1000 })
      const pulled = await pull(cursor)
      cursor = pulled.cursor
      pulledMeanwhile.push(...pulled.ids)
      await pause(400)
    }
    t.notOk(pulledMeanwhile.includes(late.AJBH), 'not visible while "its transaction" is open')
    t.ok(later !== undefined && pulledMeanwhile.includes(later.AJBH) && later.GXSJ > late.GXSJ, `changes stamped after it (${later?.GXSJ} > ${late.GXSJ}) were pulled meanwhile`)
    await waitFor('the late change to become visible', async () => await records() === visibleBefore + 6 + 1)
    const after = await pull(cursor)
    t.ok(after.ids.includes(late.AJBH), `${late.AJBH} is pulled by the first pull after it became visible`)
  })

  await t.test('a pull stopped after a page and resumed from its token ends no later than the guard of the pull that began the query', async t => {
    for (let i = 0; i < 5; i++) await add()
    const source = httpPullSource.create(config, cursorContext('cursor-http'))
    let stopped: string | null = null
    for await (const page of source.pull(cursor, new AbortController().signal)) { stopped = page.cursor; break }
    await source.close()
    const position = JSON.parse(stopped!) as { since: string; token: string | null; hold?: string }
    t.ok(position.token !== null && position.hold !== undefined, `the mid-query cursor keeps the page token and the guard (${position.hold})`)
    const resumed = await pull(stopped)
    const since = (JSON.parse(resumed.cursor!) as { since: string }).since
    const holdMs = Date.parse(position.hold!)
    t.equal(Date.parse(since.replace(' ', 'T') + '+08:00'), Math.floor(holdMs / 1000) * 1000, `the resumed pull ends at that guard (${since}), not at a later one of its own`)
    cursor = resumed.cursor
  })

  await t.test('an update time of 9999-12-31 does not carry the cursor past the cases written after it', async t => {
    const far = seeded[2]!
    await put(far, { GXSJ: '9999-12-31 23:59:59', keepTimestamp: true })
    const before = await pull(cursor)
    t.ok(before.ids.includes(far), 'the far-future case is delivered')
    t.notMatch(before.cursor, /9999/, 'the cursor stays behind the agency system\'s clock')
    const after = await add()
    const next = await pull(before.cursor)
    t.ok(next.ids.includes(after.AJBH), `${after.AJBH}, written now, is pulled`)
    cursor = next.cursor
  })

  await t.test('update times that are no date and time leave the cursor where it was; the records are still delivered', async t => {
    agency.serveRaw({ body: JSON.stringify({ code: 0, data: { list: [{ AJBH: 'ODD-1', GXSJ: '不详' }, { AJBH: 'ODD-2', GXSJ: 20240301 }, { AJBH: 'ODD-3' }], nextPageToken: null } }) })
    const odd = await pull(cursor)
    t.same(odd.ids, ['ODD-1', 'ODD-2', 'ODD-3'], 'all three delivered (the mapping judges them)')
    t.equal(odd.cursor, JSON.stringify({ since: (JSON.parse(cursor!) as { since: string }).since, token: null }), 'the cursor keeps its since')
  })
})
