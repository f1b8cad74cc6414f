import t from 'tap'
import { ReconcileProgressLine, reconcileReport } from '../../src/cli/reconcile-progress.js'
import { translator } from '../../src/i18n/translate.js'
import { FINDING_KINDS, type ReconcileResult } from '../../src/reconcile/findings.js'
import type { ReconcileProgress } from '../../src/reconcile/progress.js'

const terminal = (written: string[], isTTY = true): NodeJS.WriteStream => ({ isTTY, write: (s: string) => { written.push(s); return true } }) as unknown as NodeJS.WriteStream
const snapshot = (phase: ReconcileProgress['phase'], done: number, phaseStartedAt: string, at: string): ReconcileProgress => ({ runId: 'r1', phase, done, startedAt: '2024-05-01T08:00:00.000Z', phaseStartedAt, at })

t.test('the progress line names the phase in the chosen language and shows the count and the phase\'s own rate', async t => {
  const written: string[] = []
  const line = new ReconcileProgressLine(terminal(written), 'a1', translator('zh-CN'))
  line.show(snapshot('source', 20_000, '2024-05-01T08:00:00.000Z', '2024-05-01T08:00:02.000Z'))
  t.match(written.at(-1), /a1 已列出源记录 20000 · 10000\/秒$/, 'count and rate from the snapshot times (not from when the display started watching)')
  line.show(snapshot('compare', 3_000, '2024-05-01T08:00:10.000Z', '2024-05-01T08:00:10.500Z'))
  t.match(written.at(-1), /a1 已比对案件 3000 · 6000\/秒$/, 'a new phase starts its own count and rate')
  const en: string[] = []
  const english = new ReconcileProgressLine(terminal(en), 'a1', translator('en'))
  english.show(snapshot('target', 500, '2024-05-01T08:00:00.000Z', '2024-05-01T08:00:01.000Z'))
  english.wait(3)
  t.match(en[0], /a1 platform cases listed 500 · 500\/s$/)
  t.match(en[1], /a1 waiting for the run to start, 3 s$/, 'before the hub has started: the time waited')
  const pipe: string[] = []
  new ReconcileProgressLine(terminal(pipe, false), 'a1', translator('en')).show(snapshot('source', 1, '2024-05-01T08:00:00.000Z', '2024-05-01T08:00:01.000Z'))
  t.same(pipe, [], 'nothing is drawn off a terminal')
})

t.test('the result is worded in the chosen language, naming each kind found by its title (its code beside it) and saying what was compared and how', async t => {
  const findings = Object.fromEntries(FINDING_KINDS.map(k => [k, { count: 0, samples: [] as string[] }])) as unknown as ReconcileResult['findings']
  const result = {
    runId: 'r1', agencyId: 'a1', startedAt: '', finishedAt: '', durationMs: 2500, trigger: 'on-demand', source: 'listed', target: 'digests', notes: [], noteCodes: [],
    counts: { sourceRecords: 160, sourceValid: 160, ledger: 160, target: 150, compared: 25, tooYoung: 2 },
    digest: { requests: 2, bucketsCompared: 272, bucketsEqual: 269, bucketsListed: 3, deepestDepth: 3, leavesListed: 48, casesListed: 25 },
    findings: { ...findings, missing_in_target: { count: 7, samples: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7'] } },
    repair: { enqueued: 6, byKind: { missing_in_target: 6 }, notRepaired: 1, notes: [] },
  } as ReconcileResult
  const zh = reconcileReport(translator('zh-CN'), 'a1', result)
  t.same(zh, [
    'a1：对账完成，用时 2.5 秒（源记录 160 条）',
    '  源系统：已全量列出；平台：按分桶摘要比对；2 件案件变更过新，暂不判断',
    '  按摘要比对了 272 个分桶：269 个一致，其中平台上有 125 件案件；3 个分桶逐案列出：25 件案件；逐案比对了 25 件案件',
    '  平台缺少案件 (missing_in_target)                   7  C1, C2, C3, C4, C5 …',
    '  已重新推送 6 件案件进行修复',
    '  1 件可修复的案件未能重新推送',
  ])
  const clean = reconcileReport(translator('en'), 'a1', { ...result, findings, repair: undefined } as unknown as ReconcileResult)
  t.equal(clean.at(-1), '  no findings: source, ledger and platform agree')
  const blind = reconcileReport(translator('en'), 'a1', { ...result, findings, repair: undefined, target: 'not-compared' } as unknown as ReconcileResult)
  t.equal(blind.at(-1), '  no findings between source and ledger; the platform was NOT compared, so nothing is known of what it holds', 'a run that could not read the platform does not say they agree')
  const nothing = reconcileReport(translator('zh-CN'), 'a1', { ...result, findings, repair: undefined, target: 'not-compared', source: 'not-listed' } as unknown as ReconcileResult)
  t.equal(nothing.at(-1), '  未做比对：源系统与平台均无法读取，仅检查了台账（滞留变更、迟录）')
  const noSource = reconcileReport(translator('en'), 'a1', { ...result, findings, repair: undefined, source: 'not-listed' } as unknown as ReconcileResult)
  t.match(noSource.at(-1), /^ {2}no findings: ledger and platform agree \(the source was not listed/)
  const allEqual = reconcileReport(translator('en'), 'a1', { ...result, findings, repair: undefined, counts: { ...result.counts, compared: 0, target: 12_000 }, digest: { requests: 1, bucketsCompared: 256, bucketsEqual: 256, bucketsListed: 0, deepestDepth: 2, leavesListed: 0, casesListed: 0 } } as unknown as ReconcileResult)
  t.equal(allEqual[2], '  256 bucket(s) compared by digest: 256 equal, holding 12000 case(s) on the platform; no bucket needed listing; 0 case(s) compared one by one', 'a run that compared everything by digest says so, not only "0 cases compared"')
  const listed = reconcileReport(translator('en'), 'a1', { ...result, findings, repair: undefined, target: 'full-listing', digest: undefined } as unknown as ReconcileResult)
  t.equal(listed[2], '  25 case(s) compared one by one', 'a full listing compares case by case')
  const noted = reconcileReport(translator('zh-CN'), 'a1', { ...result, findings, repair: undefined, target: 'not-compared', digest: undefined, notes: ['the platform was not compared: the agency code is unknown'], noteCodes: ['agency-code-unknown'] } as unknown as ReconcileResult)
  t.match(noted, ['a1：对账完成，用时 2.5 秒（源记录 160 条）', String, String, '  说明：平台未比对：机构代码未知（源端没有有效案件，也尚未推送过案件）；请设置 reconcile.agencyCode'], 'a note is worded from its code in the reader\'s language')
})
