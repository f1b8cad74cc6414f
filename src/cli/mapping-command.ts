/**
 * `casebridge mapping test <mapping.yaml> <sample-file> [--json] [--invalid-only] [--show-personal]`:
 * the preview an administrator runs while writing a mapping. Prints each record's canonical
 * case or its problems (source field → canonical field, rule, what was expected, the value
 * masked when personal), then `N valid, M invalid, K skipped`. Exit 0 when nothing is
 * invalid, 1 when something is (or the sample cannot be read), 2 for usage and mapping file
 * errors. Personal data in the canonical output is masked unless `--show-personal`.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { UnreadableFileError } from '../errors.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { maskedReport, previewSample, summaryLine, type PreviewReport, type PreviewResult } from '../mapping/preview.js'
import type { MappingProblem } from '../mapping/types.js'

export const MAPPING_USAGE = `  casebridge mapping test <mapping.yaml> <sample-file> [--json] [--invalid-only] [--show-personal]
                                           map and validate every record of a sample export; exit 1 if any is invalid`

export class MappingUsageError extends Error {}

function problemLine (p: MappingProblem): string {
  const where = p.sourceField === undefined ? (p.canonicalField === '' ? '(record)' : p.canonicalField) : `${p.sourceField} → ${p.canonicalField === '' ? '(record)' : p.canonicalField}`
  return `    ${where}  [${p.rule}]  ${p.message}${p.value === undefined ? '' : `  (value: ${p.value})`}`
}

function indent (text: string, by: string): string {
  return text.split('\n').map(line => by + line).join('\n')
}

function resultText (r: PreviewResult): string {
  const head = `#${r.record} (line ${r.line})${r.caseNumber === undefined ? '' : ` ${r.caseNumber}`}`
  switch (r.outcome) {
    case 'valid': return `${head}: valid\n${indent(JSON.stringify(r.case, null, 2), '    ')}`
    case 'skipped': return `${head}: skipped by ${r.rule}`
    case 'invalid': return `${head}: INVALID (${r.stage})\n${r.problems.map(problemLine).join('\n')}`
  }
}

function readable (report: PreviewReport, invalidOnly: boolean): string {
  const lines = [`${report.mapping.file} (agency ${report.mapping.agency}, version ${report.mapping.version})`,
    `sample ${report.sample.file} (${report.sample.format}, ${report.sample.encoding})`, '']
  for (const r of report.results) if (!invalidOnly || r.outcome === 'invalid') lines.push(resultText(r))
  lines.push('', summaryLine(report.summary))
  return lines.join('\n') + '\n'
}

/** Run the subcommand; `args` are what follows `casebridge mapping`. */
export async function mappingCommand (args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, 'invalid-only': { type: 'boolean' }, 'show-personal': { type: 'boolean' } } })
  } catch (err) {
    throw new MappingUsageError((err as Error).message)
  }
  const [sub, mappingFile, sampleFile, ...extra] = parsed.positionals
  if (sub !== 'test') throw new MappingUsageError(sub === undefined ? 'mapping needs a subcommand: test' : `unknown mapping subcommand "${sub}" (known: test)`)
  if (mappingFile === undefined || sampleFile === undefined || extra.length > 0) throw new MappingUsageError('mapping test needs a mapping file and a sample file')
  const mapping = await loadMapping(mappingFile)
  let bytes: Uint8Array
  try {
    bytes = await readFile(sampleFile)
  } catch (err) {
    throw new UnreadableFileError(`${sampleFile}: cannot read the sample file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, sampleFile, undefined, { cause: err })
  }
  const report = await previewSample(mapping, bytes, sampleFile)
  const shown = parsed.values['show-personal'] === true ? report : maskedReport(report)
  if (parsed.values.json === true) process.stdout.write(JSON.stringify(shown, null, 2) + '\n')
  else process.stdout.write(readable(shown, parsed.values['invalid-only'] === true))
  return report.summary.invalid > 0 ? 1 : 0
}
