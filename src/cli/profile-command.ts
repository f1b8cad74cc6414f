/**
 * `casebridge profile test <profile.yaml> <canonical.json | --mapping m.yaml sample> [--json] [--show-personal]`:
 * what an administrator runs while writing a target profile. Prints each case's platform
 * record (personal data masked unless `--show-personal`) or the platform fields it lacks.
 * Exit 0 when every case could be sent, 1 when one could not (held, or the sample had invalid
 * records), 2 for usage and profile file errors.
 */
import { readFile } from 'node:fs/promises'
import type { CanonicalCase } from '../generated/case.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { maskedCase, previewSample } from '../pipeline/preview.js'
import { loadProfile } from '../profile/load-profile.js'
import { UsageError } from '../errors.js'
import { parseOptions, usageTranslator } from './command-line.js'


interface Line { caseNumber: string; outcome: 'record' | 'held' | 'invalid'; record?: unknown; fingerprint?: string; missing?: readonly { field: string; from: string }[]; reason?: string; problems?: number }

async function casesOf (input: string, mapping: string | undefined): Promise<{ cases: CanonicalCase[]; invalid: Line[] }> {
  if (mapping === undefined) {
    const parsed = JSON.parse(await readFile(input, 'utf8')) as CanonicalCase | CanonicalCase[]
    return { cases: Array.isArray(parsed) ? parsed : [parsed], invalid: [] }
  }
  const compiled = await loadMapping(mapping)
  const report = await previewSample(compiled, await readFile(input), input)
  const cases: CanonicalCase[] = []
  const invalid: Line[] = []
  for (const r of report.results) {
    if (r.outcome === 'valid') cases.push(r.case)
    else if (r.outcome === 'invalid') invalid.push({ caseNumber: r.caseNumber ?? `#${r.record}`, outcome: 'invalid', reason: `invalid in the mapping (${r.problems.length} problems): see casebridge mapping test`, problems: r.problems.length })
  }
  return { cases, invalid }
}

export async function profileCommand (args: string[]): Promise<number> {
  const parsed = parseOptions(args, { json: { type: 'boolean' }, 'show-personal': { type: 'boolean' }, mapping: { type: 'string' } })
  const [sub, profileFile, input, ...extra] = parsed.positionals
  const t = usageTranslator()
  if (sub !== 'test') throw new UsageError(sub === undefined ? t('cli.usage.profileSubcommand') : t('cli.usage.profileUnknown', { sub }))
  if (profileFile === undefined || input === undefined || extra.length > 0) throw new UsageError(t('cli.usage.profileFiles'))
  const profile = await loadProfile(profileFile)
  let cases: CanonicalCase[]
  let lines: Line[]
  try {
    const read = await casesOf(input, parsed.values.mapping)
    cases = read.cases
    lines = read.invalid
  } catch (err) {
    process.stderr.write(`casebridge profile test: ${t('cli.profile.unreadable', { file: input, reason: (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.name : String(err)) })}\n`)
    return 1
  }
  const show = parsed.values['show-personal'] === true
  for (const c of cases) {
    const out = profile.project(c)
    if (out.kind === 'held') { lines.push({ caseNumber: c.caseNumber, outcome: 'held', missing: out.missing, reason: out.reason }); continue }
    // Shown from the masked case: the platform's field names do not say which hold names or ID numbers.
    const shown = show ? out.record : (() => { const m = profile.project(maskedCase(c)); return m.kind === 'record' ? m.record : '[masked]' })()
    lines.push({ caseNumber: c.caseNumber, outcome: 'record', record: shown, fingerprint: out.fingerprint })
  }
  const sent = lines.filter(l => l.outcome === 'record').length
  const summary = { profile: profile.version, file: profile.file, sent, held: lines.filter(l => l.outcome === 'held').length, invalid: lines.filter(l => l.outcome === 'invalid').length }
  if (parsed.values.json === true) {
    process.stdout.write(JSON.stringify({ ...summary, cases: lines }, null, 2) + '\n')
  } else {
    const text = [t('cli.profile.header', { version: profile.version, file: profile.file }), '']
    for (const l of lines) {
      if (l.outcome === 'record') text.push(t('cli.profile.record', { caseNumber: l.caseNumber, fingerprint: l.fingerprint! }), ...JSON.stringify(l.record, null, 2).split('\n').map(s => '    ' + s))
      // The profile's reason is English and repeats the fields listed: English readers get it, others its gist.
      else if (l.outcome === 'held') text.push(t('cli.profile.held', { caseNumber: l.caseNumber }), ...l.missing!.map(m => `    ${m.field} ← ${m.from}`), `    ${t.locale === 'en' ? l.reason! : t('cli.profile.heldWhy', { version: profile.version })}`)
      else text.push(t('cli.profile.invalid', { caseNumber: l.caseNumber, count: l.problems ?? 0 }))
    }
    text.push('', t('cli.profile.summary', summary))
    process.stdout.write(text.join('\n') + '\n')
  }
  return summary.held + summary.invalid > 0 ? 1 : 0
}
