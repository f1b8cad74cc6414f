import { alarmText, isMessageKey, type MessageKey, type Translate } from '../i18n/translate.js'
import { pad } from './table.js'
import { FINDING_KINDS, type ReconcileResult, type TargetMode } from '../reconcile/findings.js'
import type { ReconcilePhase, ReconcileProgress } from '../reconcile/progress.js'
import { ProgressBar } from './progress-bar.js'

const PHASE_TEXT: Readonly<Record<ReconcilePhase, MessageKey>> = {
  source: 'cli.reconcile.phase.source',
  target: 'cli.reconcile.phase.target',
  compare: 'cli.reconcile.phase.compare',
  repair: 'cli.reconcile.phase.repair',
}

/**
 * The progress line of a reconciliation, from its progress snapshots (in this process, or
 * polled from the hub): one bar per phase — "agency cases compared 412,000 · 81,530/s".
 * The rate is the phase's own, from the snapshot's times, so a display that starts
 * watching half-way through a phase shows the true rate, not an inflated one.
 */
export class ReconcileProgressLine {
  private bar: ProgressBar | undefined
  private key = ''
  private clock = 0
  private readonly waiting: ProgressBar

  constructor (private readonly stream: NodeJS.WriteStream, private readonly agency: string, private readonly t: Translate) {
    this.waiting = new ProgressBar(stream, agency, rate => rate)
  }

  show (p: ReconcileProgress): void {
    const key = `${p.runId}:${p.phase}`
    this.clock = Date.parse(p.at)
    if (key !== this.key) {
      this.key = key
      const phaseStart = Date.parse(p.phaseStartedAt)
      let first = true
      // The bar reads its clock once when made (the phase's start), then the snapshot's time.
      this.bar = new ProgressBar(this.stream, `${this.agency} ${this.t(PHASE_TEXT[p.phase])}`, rate => this.t('cli.progress.rate', { rate }), () => {
        if (!first) return this.clock
        first = false
        return phaseStart
      })
    }
    this.bar?.update(p.done)
  }

  /** Nothing to count yet (the hub has not started the run): the time waited. */
  wait (seconds: number): void {
    this.waiting.tick(this.t('cli.reconcile.waiting', { seconds }))
  }

  clear (): void {
    this.waiting.tick('', true)
  }
}

const SOURCE_TEXT: Readonly<Record<ReconcileResult['source'], MessageKey>> = { listed: 'cli.reconcile.source.listed', 'not-listed': 'cli.reconcile.source.notListed' }
const CLEAN_TEXT: Readonly<Record<ReconcileResult['source'], Readonly<Record<'compared' | 'notCompared', MessageKey>>>> = {
  listed: { compared: 'cli.reconcile.clean', notCompared: 'cli.reconcile.cleanWithoutPlatform' },
  'not-listed': { compared: 'cli.reconcile.cleanWithoutSource', notCompared: 'cli.reconcile.cleanLedgerOnly' },
}
const TARGET_TEXT: Readonly<Record<TargetMode, MessageKey>> = { digests: 'cli.reconcile.target.digests', 'full-listing': 'cli.reconcile.target.fullListing', 'not-compared': 'cli.reconcile.target.notCompared' }

/** What was compared and how: by digest (how many buckets agreed, how many were listed), then case by case. */
function comparedLine (t: Translate, result: ReconcileResult): string {
  const cases = t('cli.reconcile.comparedCases', { compared: result.counts.compared })
  const d = result.digest
  if (result.target !== 'digests' || d === undefined) return cases
  const digests = t('cli.reconcile.comparedDigests', { buckets: d.bucketsCompared, equal: d.bucketsEqual, covered: Math.max(0, result.counts.target - d.casesListed) })
  const listed = d.bucketsListed > 0 ? t('cli.reconcile.listedBuckets', { listed: d.bucketsListed, cases: d.casesListed }) : t('cli.reconcile.noBucketListed')
  return t('cli.reconcile.comparedSummary', { digests, listed, cases })
}

/** A note in the reader's language, from its stable word; the engine's English sentence when it has none. */
function noteText (t: Translate, result: ReconcileResult, i: number): string {
  const code = result.noteCodes[i]
  const key = `cli.reconcile.noteCode.${code ?? ''}`
  return code !== undefined && isMessageKey(key) ? t(key) : result.notes[i]!
}

/**
 * A reconciliation's result for a person, in their language: how it went and what was
 * compared, then per kind found its title, count and a few case numbers, with the kind's
 * code in parentheses (what scripts grep; `--json` has every detail).
 */
export function reconcileReport (t: Translate, agency: string, result: ReconcileResult): string[] {
  const lines = [
    t('cli.reconcile.done', { agency, seconds: (result.durationMs / 1000).toFixed(1), source: result.counts.sourceRecords }),
    `  ${t('cli.reconcile.how', { source: t(SOURCE_TEXT[result.source]), target: t(TARGET_TEXT[result.target]), young: result.counts.tooYoung })}`,
    `  ${comparedLine(t, result)}`,
  ]
  result.notes.forEach((_, i) => lines.push(`  ${t('cli.reconcile.note', { note: noteText(t, result, i) })}`))
  for (const kind of FINDING_KINDS) {
    const f = result.findings[kind]
    if (f.count > 0) lines.push(`  ${pad(`${alarmText(t, kind, {}).title} (${kind})`, 44)} ${String(f.count).padStart(7)}  ${f.samples.slice(0, 5).join(', ')}${f.count > 5 ? ' …' : ''}`)
  }
  // "No findings" says only what was compared: a run that could not read a side found nothing there, which is not agreement.
  if (FINDING_KINDS.every(k => result.findings[k].count === 0)) lines.push(`  ${t(CLEAN_TEXT[result.source][result.target === 'not-compared' ? 'notCompared' : 'compared'])}`)
  if (result.repair !== undefined) {
    lines.push(`  ${t('cli.reconcile.repaired', { count: result.repair.enqueued })}`)
    if (result.repair.notRepaired > 0) lines.push(`  ${t('cli.reconcile.notRepaired', { count: result.repair.notRepaired })}`)
  }
  return lines
}
