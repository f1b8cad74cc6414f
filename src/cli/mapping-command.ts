/**
 * `casebridge mapping test <mapping.yaml> <sample-file> [--json] [--invalid-only] [--show-personal]`:
 * the preview an administrator runs while writing a mapping. Prints each record's canonical
 * case or its problems (source field → canonical field, rule, what was expected, the value
 * masked when personal), then `N valid, M invalid, K skipped` (in the operator's language). Exit 0 when nothing is
 * invalid, 1 when something is (or the sample cannot be read), 2 for usage and mapping file
 * errors. Personal data in the canonical output is masked unless `--show-personal`.
 */
import { readFile } from 'node:fs/promises'
import { describeMappingFileError } from '../mapping/describe-mapping-error.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { maskedReport, previewSample, type PreviewReport, type PreviewResult } from '../pipeline/preview.js'
import type { MappingProblem } from '../mapping/types.js'
import { isMessageKey, problemReason, type Translate } from '../i18n/translate.js'
import type { CompletenessGap } from '../schema/completeness.js'
import { askedLocale, cliTranslator } from './cli-locale.js'
import { MappingFileError, UsageError } from '../errors.js'
import { parseOptions } from './command-line.js'

/**
 * One problem: where (source field → canonical field), the rule's code, the reason in the
 * reader's language. The mapping engine's detail (`message`) is English: English readers get
 * it too; the others read the reason and the rule, which say the same in their language.
 */
function problemLine (t: Translate, p: MappingProblem): string {
  const record = t('cli.mapping.wholeRecord')
  const where = p.sourceField === undefined ? (p.canonicalField === '' ? record : p.canonicalField) : `${p.sourceField} → ${p.canonicalField === '' ? record : p.canonicalField}`
  const reason = problemReason(t, p)
  const text = p.message === '' || t.locale !== 'en' ? reason : t('cli.mapping.problem', { reason, detail: p.message })
  return `    ${where}  [${p.rule}]  ${text}${p.value === undefined ? '' : `  ${t('cli.mapping.value', { value: p.value })}`}`
}

/** Why a gap is expected, in the operator's language (the schema's English words when the catalogue has none). */
function gapWhy (t: Translate, g: CompletenessGap): string {
  if (g.rule === undefined) return ''
  const key = `gap.why.${g.rule}`
  return isMessageKey(key) ? t('cli.mapping.gapWhy', { why: t(key) }) : ` (${g.why ?? g.rule})`
}

function indent (text: string, by: string): string {
  return text.split('\n').map(line => by + line).join('\n')
}

function resultText (t: Translate, r: PreviewResult): string {
  const head = `${t('cli.mapping.record', { record: r.record, line: r.line })}${r.caseNumber === undefined ? '' : ` ${r.caseNumber}`}`
  const line = (outcome: string): string => t('cli.mapping.outcome', { head, outcome })
  switch (r.outcome) {
    case 'valid': return [line(t('cli.mapping.valid')), ...r.gaps.map(g => `    ${t('cli.mapping.gap', { field: g.field, why: gapWhy(t, g) })}`), indent(JSON.stringify(r.case, null, 2), '    ')].join('\n')
    case 'skipped': return line(t('cli.mapping.skipped', { rule: r.rule }))
    case 'invalid': return `${line(t('cli.mapping.invalid', { stage: t(`quarantine.stage.${r.stage}`) }))}\n${r.problems.map(p => problemLine(t, p)).join('\n')}`
  }
}

function readable (t: Translate, report: PreviewReport, invalidOnly: boolean): string {
  const lines = [t('cli.mapping.header', { file: report.mapping.file, agency: report.mapping.agency, version: report.mapping.version }),
    t('cli.mapping.sample', { file: report.sample.file, format: report.sample.format, encoding: report.sample.encoding }), '']
  for (const r of report.results) if (!invalidOnly || r.outcome === 'invalid') lines.push(resultText(t, r))
  if (report.knownGaps.length > 0) lines.push('', t('cli.mapping.knownGaps'), ...report.knownGaps.map(a => `    ${a.field} — ${a.note}`))
  const { records, valid, invalid, skipped, withGaps, gaps } = report.summary
  if (withGaps > 0) lines.push('', t('cli.mapping.gapSummary', { withGaps, fields: Object.entries(gaps).map(([field, n]) => `${field} ${n}`).join(', ') }))
  lines.push('', t('cli.mapping.summary', { records, valid, invalid, skipped }))
  return lines.join('\n') + '\n'
}

/**
 * Run the subcommand; `args` are what follows `casebridge mapping`. Texts in the language
 * asked for (`--lang`, CASEBRIDGE_LOCALE), else zh-CN; `--json` is the same in every language.
 */
export async function mappingCommand (args: string[]): Promise<number> {
  const parsed = parseOptions(args, { json: { type: 'boolean' }, 'invalid-only': { type: 'boolean' }, 'show-personal': { type: 'boolean' }, lang: { type: 'string' } })
  const t = cliTranslator(askedLocale(parsed.values.lang))
  const [sub, mappingFile, sampleFile, ...extra] = parsed.positionals
  if (sub !== 'test') throw new UsageError(sub === undefined ? t('cli.usage.mappingSubcommand') : t('cli.usage.mappingUnknown', { sub }))
  if (mappingFile === undefined || sampleFile === undefined || extra.length > 0) throw new UsageError(t('cli.usage.mappingFiles'))
  let mapping
  try {
    mapping = await loadMapping(mappingFile)
  } catch (err) {
    // The file:line:col stays; what is wrong there is worded in the operator's language (the message itself is English).
    if (!(err instanceof MappingFileError)) throw err
    process.stderr.write(`casebridge: ${describeMappingFileError(err, t)}\n`)
    return 2
  }
  let bytes: Uint8Array
  try {
    bytes = await readFile(sampleFile)
  } catch (err) {
    process.stderr.write(`casebridge mapping test: ${t('cli.mapping.unreadableSample', { file: sampleFile, reason: (err as NodeJS.ErrnoException).code ?? String(err) })}\n`)
    return 1
  }
  const report = await previewSample(mapping, bytes, sampleFile)
  const shown = parsed.values['show-personal'] === true ? report : maskedReport(report)
  if (parsed.values.json === true) process.stdout.write(JSON.stringify(shown, null, 2) + '\n')
  else process.stdout.write(readable(t, shown, parsed.values['invalid-only'] === true))
  return report.summary.invalid > 0 ? 1 : 0
}
