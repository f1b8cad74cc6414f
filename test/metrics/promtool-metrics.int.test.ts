import t from 'tap'
import { AGENCY, startOperatorHub } from '../helpers/operator-hub.js'
import { promtool } from '../helpers/promtool.js'
import { waitFor } from '../helpers/wait-for.js'

t.test('promtool check metrics passes on a live scrape of a hub that has synced', async t => {
  const h = await startOperatorHub(t, 'promtool-metrics')
  await h.hub.pullNow(AGENCY)
  await waitFor('cases acknowledged', async () => (await h.hub.ledger.counters(AGENCY)).pushed > 0)
  const scrape = await h.call('/metrics')
  t.equal(scrape.status, 200)
  t.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/, 'Prometheus text format')
  const text = String(scrape.body)
  t.match(text, /^casebridge_end_to_end_latency_seconds_count\{agency="market-regulation-peixian"\} [1-9]/m, 'the scrape carries the agency\'s series')
  const result = await promtool(['check', 'metrics'], text)
  t.equal(result.code, 0, `promtool check metrics: exit 0 (stdout: ${result.stdout.trim() || '-'}; stderr: ${result.stderr.trim() || '-'})`)
  t.equal((result.stdout + result.stderr).trim(), '', 'promtool found nothing to complain about, not even a lint warning')
})
