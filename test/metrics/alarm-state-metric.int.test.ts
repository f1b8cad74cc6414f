/**
 * casebridge_alarms_open carries the alarm's state, so the alert rule can page only alarms
 * nobody has acknowledged (issue 21: `casebridge ack` did not silence the page), and it reads
 * 0 for every agency and kind not raised, so a healthy hub's dashboards show 0, not "No data".
 */
import t from 'tap'
import { ALARM_KINDS } from '../../src/alarms/alarm-kinds.js'
import { AGENCY, startOperatorHub, type OperatorHub } from '../helpers/operator-hub.js'
import { sample } from '../helpers/prometheus-text.js'

const scrape = async (h: OperatorHub): Promise<string> => String((await h.call('/metrics')).body)
const states = async (h: OperatorHub, kind: string): Promise<Record<string, number | undefined>> => {
  const text = await scrape(h)
  return { open: sample(text, 'casebridge_alarms_open', { agency: AGENCY, kind, state: 'open' }), acknowledged: sample(text, 'casebridge_alarms_open', { agency: AGENCY, kind, state: 'acknowledged' }) }
}

t.test('the alarm metric reads 0 for every kind on a healthy hub, follows open → acknowledged → resolved, and counts an acknowledged alarm apart', async t => {
  const h = await startOperatorHub(t, 'alarm-state-metric')
  const healthy = await scrape(h)
  for (const kind of ALARM_KINDS) {
    t.same([sample(healthy, 'casebridge_alarms_open', { agency: AGENCY, kind, state: 'open' }), sample(healthy, 'casebridge_alarms_open', { agency: AGENCY, kind, state: 'acknowledged' })], [0, 0], `${kind}: 0 open, 0 acknowledged`)
  }

  await h.hub.alarms.report(AGENCY, 'missing_in_target', { count: 3, samples: ['A-1'] })
  t.same(await states(h, 'missing_in_target'), { open: 1, acknowledged: 0 }, 'raised: one open alarm')

  const ack = await h.call(`/api/alarms/${AGENCY}/missing_in_target/ack`, { role: 'operator', method: 'POST', body: { note: 'on it' } })
  t.equal(ack.status, 200, 'an operator acknowledges it through the admin API (what casebridge ack calls)')
  t.same(await states(h, 'missing_in_target'), { open: 0, acknowledged: 1 }, 'acknowledged: it leaves state="open", which is what pages')

  await h.hub.alarms.resolve(AGENCY, 'missing_in_target')
  t.same(await states(h, 'missing_in_target'), { open: 0, acknowledged: 0 }, 'resolved: the series stay, at 0')
})
