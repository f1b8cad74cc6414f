import t from 'tap'
import { registerFeedbackMetrics } from '../../src/metrics/feedback-metrics.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { Histogram } from 'prom-client'
import { parse } from 'yaml'
import { projectRoot } from '../../src/paths.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { createHubMetrics } from '../../src/metrics/hub-metrics.js'
import { TargetHealth } from '../../src/metrics/target-health.js'
import { promtool } from '../helpers/promtool.js'
import { tempDir } from '../helpers/temp-files.js'

const KIT = join(projectRoot, 'config', 'monitoring')

/** Every series name the hub exports (histograms with their _bucket/_sum/_count). */
function exportedNames (t: { teardown: (fn: () => void) => void }): Set<string> {
  // A client that never connects: naming the metrics reads nothing.
  const redis = new Redis({ lazyConnect: true })
  t.teardown(() => redis.disconnect())
  const { registry } = createHubMetrics({
    ledger: new Ledger(redis, 'unused'), agencies: [], queues: new Map(), targets: new TargetHealth(),
    hub: { name: 'kit', locale: 'zh-CN', version: '0' }, ready: async () => true,
  })
  // The feedback path registers its own metrics on the hub's registry (src/hub.ts does the same).
  registerFeedbackMetrics(registry, [], async () => { throw new Error('not read: no agency') })
  const names = new Set<string>()
  for (const m of registry.getMetricsAsArray()) {
    names.add(m.name)
    if (m instanceof Histogram) for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s)
  }
  return names
}

const metricNamesIn = (expr: string): string[] => [...expr.matchAll(/\b(casebridge_[a-z0-9_]+)\b/g)].map(m => m[1]!)

t.test('the alert rules pass promtool check rules', async t => {
  const result = await promtool(['check', 'rules', join(KIT, 'prometheus-rules.yaml')])
  t.equal(result.code, 0, `promtool check rules: ${result.stdout.trim()} ${result.stderr.trim()}`)
  t.match(result.stdout, /SUCCESS: \d+ rules found/)
})

t.test('the alert rules pass their promtool unit tests', async t => {
  const result = await promtool(['test', 'rules', join(KIT, 'prometheus-rules.test.yaml')])
  t.equal(result.code, 0, `promtool test rules:\n${result.stdout}\n${result.stderr}`)
  t.match(result.stdout, /SUCCESS/)
})

t.test('every alert the issue asks for exists, is unit-tested, and uses only metrics the hub exports', async t => {
  const exported = exportedNames(t)
  const rules = (parse(readFileSync(join(KIT, 'prometheus-rules.yaml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(g => g.rules)
  const tests = parse(readFileSync(join(KIT, 'prometheus-rules.test.yaml'), 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }
  const firingInTests = new Set(tests.tests.flatMap(x => x.alert_rule_test.filter(a => a.exp_alerts.length > 0).map(a => a.alertname)))
  for (const needed of ['CaseBridgeSyncLagHigh', 'CaseBridgeDesyncAlarmOpen', 'CaseBridgeDeadLettersGrowing', 'CaseBridgeAgencyUnreachable', 'CaseBridgeHubDown', 'CaseBridgeHubNotReady']) {
    t.ok(rules.some(r => r.alert === needed), `rule ${needed} exists`)
  }
  for (const rule of rules) {
    t.ok(firingInTests.has(rule.alert), `${rule.alert} is shown firing in a unit test`)
    for (const name of metricNamesIn(rule.expr)) t.ok(exported.has(name), `${rule.alert}: ${name} is exported by the hub`)
  }
})

interface Panel { id: number; type: string; title: string; gridPos: Record<string, number>; datasource: { type: string; uid: string }; targets: { refId: string; expr: string; datasource: { type: string; uid: string } }[] }
interface Variable { name: string; type: string; query: string | { query: string }; datasource?: { type: string; uid: string } }

/** Grafana's form of a reference to the dashboard's datasource variable. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' }

t.test('the Grafana dashboard has what an import needs, the datasource as a dashboard variable, and only queries of exported metrics', async t => {
  const exported = exportedNames(t)
  const text = readFileSync(join(KIT, 'grafana-dashboard.json'), 'utf8')
  const dash = JSON.parse(text) as { __inputs?: unknown[]; title: string; uid: string; schemaVersion: number; panels: Panel[]; templating: { list: Variable[] } }
  t.ok(dash.title.length > 0 && /^[a-z0-9-]{1,40}$/.test(dash.uid), 'title and a stable uid')
  t.ok(Number.isInteger(dash.schemaVersion) && dash.schemaVersion >= 30, 'a schema version Grafana 9+ imports')
  t.equal(new Set(dash.panels.map(p => p.id)).size, dash.panels.length, 'panel ids are unique')

  // The datasource is a variable of the dashboard (switchable at view time), not only an import-time input.
  const sources = dash.templating.list.filter(v => v.type === 'datasource')
  t.same(sources.map(v => [v.name, v.query]), [['datasource', 'prometheus']], 'one templating variable of type datasource, listing Prometheus datasources')
  t.equal(dash.__inputs, undefined, 'no import-time datasource input left over')
  t.notMatch(text, /\$\{DS_[A-Z_]+\}/, 'nothing refers to an import-time input')

  const exprs: string[] = []
  for (const p of dash.panels) {
    t.same(p.datasource, DATASOURCE, `${p.title}: datasource is the dashboard variable`)
    t.ok(['x', 'y', 'w', 'h'].every(k => Number.isInteger(p.gridPos[k])), `${p.title}: has a grid position`)
    t.ok(p.targets.length > 0, `${p.title}: has a query`)
    for (const target of p.targets) {
      t.same(target.datasource, DATASOURCE, `${p.title} ${target.refId}: query datasource is the dashboard variable`)
      const names = metricNamesIn(target.expr)
      t.ok(names.length > 0 || target.expr.includes('up{job="casebridge"}'), `${p.title} ${target.refId}: queries a hub metric`)
      for (const name of names) t.ok(exported.has(name), `${p.title}: ${name} is exported by the hub`)
      exprs.push(target.expr)
    }
  }
  for (const v of dash.templating.list.filter(v => v.type === 'query')) {
    t.same(v.datasource, DATASOURCE, `variable ${v.name} queries the datasource variable`)
    for (const name of metricNamesIn(typeof v.query === 'string' ? v.query : v.query.query)) t.ok(exported.has(name), `variable ${v.name}: ${name} is exported`)
  }
  const titles = dash.panels.map(p => p.title.toLowerCase()).join(' | ')
  for (const topic of ['lag', 'throughput', 'queue', 'quarantine', 'alarms']) t.match(titles, topic, `a panel shows ${topic}`)

  // Every query is valid PromQL: promtool checks them as recording rules (Grafana variables filled in).
  const files = tempDir(t)
  const file = files.write('dashboard-queries.yaml', JSON.stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr: expr.replaceAll('$agency', '.*') })) }] }))
  const check = await promtool(['check', 'rules', file])
  t.equal(check.code, 0, `every dashboard query parses: ${check.stdout.trim()} ${check.stderr.trim()}`)
})

interface StatPanel { title: string; type: string; targets: { expr: string }[]; fieldConfig: { defaults: { thresholds?: { steps: { color: string; value: number | null }[] } } } }

t.test('the dashboard shows 0 open alarms on a healthy hub, no NaN latency for a file drop, and a not-ready hub in red', async t => {
  const dash = JSON.parse(readFileSync(join(KIT, 'grafana-dashboard.json'), 'utf8')) as { panels: StatPanel[] }
  const panel = (title: string): StatPanel => {
    const p = dash.panels.find(x => x.title === title)
    if (p === undefined) throw new Error(`no panel "${title}"`)
    return p
  }
  const query = (title: string, i = 0): string => panel(title).targets[i]!.expr.replaceAll('$agency', '.*')

  for (const p of dash.panels.filter(x => x.type === 'stat')) t.ok((p.fieldConfig.defaults.thresholds?.steps.length ?? 0) >= 2, `${p.title}: has thresholds`)
  const ready = panel('Hub ready').fieldConfig.defaults.thresholds?.steps ?? []
  t.same([ready[0]?.color, ready.find(s => s.value === 1)?.color], ['red', 'green'], 'hub ready: red below 1, green at 1')

  // A healthy hub as it scrapes now: every alarm series at 0; a file-drop agency that has
  // delivered nothing in the window (its latency buckets do not move) beside one that has.
  const input = [
    { series: 'casebridge_alarms_open{agency="dir-drop-agency",kind="late_entry",state="open",instance="hub-1:4000"}', values: '0x20' },
    { series: 'casebridge_alarms_open{agency="dir-drop-agency",kind="late_entry",state="acknowledged",instance="hub-1:4000"}', values: '1x20' },
    ...['1', '+Inf'].flatMap(le => [
      { series: `casebridge_end_to_end_latency_seconds_bucket{agency="dir-drop-agency",le="${le}",instance="hub-1:4000"}`, values: '5x20' },
      { series: `casebridge_end_to_end_latency_seconds_bucket{agency="http-agency",le="${le}",instance="hub-1:4000"}`, values: '0+10x20' },
    ]),
  ]
  const tests = {
    tests: [{
      interval: '1m',
      input_series: input,
      promql_expr_test: [
        { expr: query('Open alarms'), eval_time: '10m', exp_samples: [{ labels: '{}', value: 0 }] },
        { expr: query('End-to-end latency (first seen → acknowledged)', 0), eval_time: '20m', exp_samples: [{ labels: '{agency="http-agency"}', value: 0.5 }] },
        { expr: query('End-to-end latency (first seen → acknowledged)', 1), eval_time: '20m', exp_samples: [{ labels: '{agency="http-agency"}', value: 0.95 }] },
      ],
    }],
  }
  const files = tempDir(t)
  const result = await promtool(['test', 'rules', files.write('dashboard.test.yaml', JSON.stringify(tests))])
  t.equal(result.code, 0, `open alarms read 0 (not "No data", acknowledged ones not counted); the file drop has no latency series, not NaN:\n${result.stdout}\n${result.stderr}`)
})
