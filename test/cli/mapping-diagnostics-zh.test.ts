/**
 * Issue 21, mapping files: every kind of mapping-file error (one case per message key) is
 * worded fully in Chinese for a zh-CN operator — no Latin sentence (test/helpers/latin-sentences.ts),
 * positions, field paths, YAML keys and codes excepted — while the English wording, the error's
 * message (logs, --json), stays what it was. A set of them goes through `casebridge mapping test`
 * in both languages.
 */
import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { MappingFileError } from '../../src/errors.js'
import { MAPPING_MESSAGES_EN } from '../../src/i18n/mapping-messages-en.js'
import { translator, type MessageKey } from '../../src/i18n/translate.js'
import type { Text } from '../../src/i18n/texts.js'
import { describeMappingFileError } from '../../src/mapping/describe-mapping-error.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { MAPPING_HEAD } from '../helpers/mapping-errors.js'
import { latinSentences } from '../helpers/latin-sentences.js'
import { runCli } from '../helpers/run-cli.js'

const head = MAPPING_HEAD
const fields = 'fields:\n  /a: { from: A }\n'
const rule = (text: string): string => `${head}fields:\n  /a: ${text}\n`
const shared = (entry: string, file: string): Files => ({ 'm.yaml': `${head}tables:\n  s: ${entry}\nfields:\n  /a: { from: A, table: s }\n`, 'tables/t.yaml': file })

/** The files of one case, by name under the case's folder; `m.yaml` is the mapping (absent: the file is missing). */
type Files = Readonly<Record<string, string>>
interface Case { readonly key: MessageKey; readonly files: Files; readonly agency?: string; readonly link?: boolean }

/** One broken mapping for each kind of mapping-file error, named by the key of its text. */
const CASES: readonly Case[] = [
  { key: 'mapping.yamlSyntax', files: { 'm.yaml': `${head}fields:\n  /a: { from: A }\n  /a: { from: B }\n` } },
  { key: 'mapping.file.unreadable', files: {} },
  { key: 'mapping.file.otherAgency', files: { 'm.yaml': head + fields }, agency: 'someone-else' },
  { key: 'mapping.schema.unknownKey', files: { 'm.yaml': `${head}feilds:\n  /a: { from: A }\n` } },
  { key: 'mapping.schema.unknownKey', files: { 'm.yaml': `${head}fields:\n  caseNumber: { from: A }\n` } },
  { key: 'mapping.schema.missingKey', files: { 'm.yaml': head } },
  { key: 'mapping.schema.wrongType', files: { 'm.yaml': rule('{ from: 12 }') } },
  { key: 'mapping.schema.wrongType', files: { 'm.yaml': rule('{ from: A, required: yes please }') } },
  { key: 'mapping.schema.unknownValue', files: { 'm.yaml': `${head}tables:\n  s: { codes: { "1": a }, unknown: ignore }\nfields:\n  /a: { from: A, table: s }\n` } },
  { key: 'mapping.schema.empty', files: { 'm.yaml': `${head}fields: {}\n` } },
  { key: 'mapping.schema.notValidHere', files: { 'm.yaml': rule('{ concat: [[1]] }') } },
  { key: 'mapping.schema.notValidHere', files: { 'm.yaml': `version: "1"\nagency: Bad_Agency\ncaseNumberField: AJBH\n${fields}` } },
  { key: 'mapping.schema.breaks', files: { 'm.yaml': `${head}derive: [regionFromAgencyCode, regionFromAgencyCode]\n${fields}` } },
  { key: 'mapping.schema.breaks', files: { 'm.yaml': rule('{ expr: "" }') } },
  { key: 'mapping.pointer.bad', files: { 'm.yaml': `${head}fields:\n  /__proto__/x: { from: A }\n` } },
  { key: 'mapping.pointer.bad', files: { 'm.yaml': `${head}fields:\n  /parties/0/name: { from: A }\n` } },
  { key: 'mapping.pointer.overlaps', files: { 'm.yaml': `${head}fields:\n  /agency: { from: A }\n  /agency/name: { from: B }\n` } },
  { key: 'mapping.rule.oneSource', files: { 'm.yaml': rule('{ from: A, concat: [B, C] }') } },
  { key: 'mapping.rule.oneConverter', files: { 'm.yaml': rule('{ from: A, date: yyyyMMdd, money: yuan }') } },
  { key: 'mapping.rule.unknownDateFormat', files: { 'm.yaml': rule('{ from: A, date: dd.MM.yyyy }') } },
  { key: 'mapping.rule.unknownMoneyUnit', files: { 'm.yaml': rule('{ from: A, money: jiao }') } },
  { key: 'mapping.rule.unknownTable', files: { 'm.yaml': rule('{ from: A, table: status }') } },
  { key: 'mapping.rule.unknownTable', files: { 'm.yaml': `${head}tables:\n  status: { codes: { "1": a }, unknown: reject }\n  kind: { codes: { "1": a }, unknown: reject }\nfields:\n  /a: { from: A, table: stauts }\n` } },
  { key: 'mapping.rule.unknownParser', files: { 'm.yaml': rule('{ from: A, parse: jsonata }') } },
  { key: 'mapping.rule.unknownTextTransform', files: { 'm.yaml': rule('{ from: A, text: [trim, uppercase] }') } },
  { key: 'mapping.rule.separatorWithoutConcat', files: { 'm.yaml': rule('{ from: A, separator: "-" }') } },
  { key: 'mapping.rule.notWithConst', files: { 'm.yaml': rule('{ const: x, date: yyyyMMdd }') } },
  { key: 'mapping.rule.splitWithParse', files: { 'm.yaml': rule('{ from: A, split: ",", parse: legalBasis }') } },
  { key: 'mapping.rule.exprInsideEach', files: { 'm.yaml': `${head}fields:\n  /parties:\n    each: DSR\n    fields:\n      /name: { expr: "A" }\n` } },
  { key: 'mapping.rule.requiredAndDefault', files: { 'm.yaml': rule('{ from: A, required: true, default: x }') } },
  { key: 'mapping.choose.keyOnRule', files: { 'm.yaml': rule('{ choose: [ { from: A, default: x } ] }') } },
  { key: 'mapping.choose.whenMissing', files: { 'm.yaml': rule('{ choose: [ { from: A }, { from: B } ] }') } },
  { key: 'mapping.condition.oneOperator', files: { 'm.yaml': rule('{ from: A, when: { field: B } }') } },
  { key: 'mapping.condition.oneOperator', files: { 'm.yaml': rule('{ from: A, when: { field: B, equals: x, in: [y] } }') } },
  { key: 'mapping.condition.fieldWithCombinator', files: { 'm.yaml': rule('{ from: A, when: { field: B, all: [ { field: C, present: true } ] } }') } },
  { key: 'mapping.condition.fieldMissing', files: { 'm.yaml': rule('{ from: A, when: { equals: x } }') } },
  { key: 'mapping.condition.codeNotInTable', files: { 'm.yaml': `${head}tables:\n  s: { codes: { "1": a }, unknown: reject }\nfields:\n  /a: { from: A, table: s }\n  /b: { from: C, when: { field: A, equals: "9" } }\n` } },
  { key: 'mapping.table.defaultMissing', files: { 'm.yaml': `${head}tables:\n  s: { codes: { "1": a }, unknown: default }\nfields:\n  /a: { from: A, table: s }\n` } },
  { key: 'mapping.table.defaultUnused', files: { 'm.yaml': `${head}tables:\n  s: { codes: { "1": a }, unknown: reject, default: b }\nfields:\n  /a: { from: A, table: s }\n` } },
  { key: 'mapping.table.fileRefused', files: shared('{ file: ../t.yaml, unknown: reject }', 'codes: { "1": a }\n') },
  { key: 'mapping.table.fileRefused', files: shared('{ file: /etc/t.yaml, unknown: reject }', 'codes: { "1": a }\n') },
  { key: 'mapping.table.fileRefused', files: shared('{ file: tables/link.yaml, unknown: reject }', 'codes: { "1": a }\n'), link: true },
  { key: 'mapping.table.fileUnreadable', files: shared('{ file: tables/nope.yaml, unknown: reject }', 'codes: { "1": a }\n') },
  { key: 'mapping.table.unknownRuleMissing', files: shared('{ file: tables/t.yaml }', 'codes: { "1": a }\n') },
  { key: 'mapping.table.sharedDefaultUnused', files: shared('{ file: tables/t.yaml }', 'codes: { "1": a }\nunknown: reject\ndefault: b\n') },
  { key: 'mapping.table.defaultAgainstRule', files: shared('{ file: tables/t.yaml, default: b }', 'codes: { "1": a }\nunknown: reject\n') },
  { key: 'mapping.table.defaultMissingBoth', files: shared('{ file: tables/t.yaml, unknown: default }', 'codes: { "1": a }\n') },
  { key: 'mapping.table.sharedDefaultMissing', files: shared('{ file: tables/t.yaml }', 'codes: { "1": a }\nunknown: default\n') },
  { key: 'mapping.table.valueNotAllowed', files: { 'm.yaml': `${head}tables:\n  st: { codes: { "30": decidd }, unknown: reject }\nfields:\n  /status: { from: S, table: st }\n` } },
  { key: 'mapping.table.defaultNotAllowed', files: { 'm.yaml': `${head}tables:\n  st: { codes: { "30": decided }, unknown: default, default: nope }\nfields:\n  /status: { from: S, table: st }\n` } },
  { key: 'mapping.absent.identity', files: { 'm.yaml': `${head}absent:\n  /caseNumber: not exported\n${fields}` } },
  { key: 'mapping.absent.notExpected', files: { 'm.yaml': `${head}absent:\n  /factsSummary: not exported\n${fields}` } },
  { key: 'mapping.absent.alsoSet', files: { 'm.yaml': `${head}absent:\n  /regionCode: not exported\nfields:\n  /regionCode: { from: X }\n` } },
  { key: 'mapping.derive.forged', files: { 'm.yaml': `${head}fields:\n  /derived: { const: [] }\n` } },
  { key: 'mapping.derive.unknown', files: { 'm.yaml': `${head}derive: [regionFromPostcode]\n${fields}` } },
  { key: 'mapping.derive.alsoSet', files: { 'm.yaml': `${head}derive: [regionFromAgencyCode]\nfields:\n  /regionCode: { from: XZQH }\n` } },
  { key: 'mapping.expr.invalid', files: { 'm.yaml': rule('{ expr: "A +" }') } },
  { key: 'mapping.expr.regex', files: { 'm.yaml': rule('{ expr: "$match(A, /a+/)" }') } },
  { key: 'mapping.expr.forbiddenFunction', files: { 'm.yaml': rule('{ expr: "$now()" }') } },
  { key: 'mapping.expr.forbiddenFunction', files: { 'm.yaml': rule('{ expr: "$eval(CODE)" }') } },
  { key: 'mapping.expr.forbiddenFunction', files: { 'm.yaml': rule('{ expr: "$shuffle([1, 2])" }') } },
  { key: 'mapping.expr.limitOnEmpty', files: { 'm.yaml': rule(`{ expr: ${JSON.stringify('[1..400].$pad("", 9999)')} }`) } },
]

/**
 * Keys of texts that are part of another text (a list word, a type word, the schema's words,
 * a reason), and the error texts no mapping file can produce on purpose: the hot reload's
 * wrapping of an unexpected failure, and ajv refusing with no error to report.
 */
const NOT_AN_ERROR_OF_ITS_OWN = /^mapping\.(none|noneDefined|schema\.(theFile|item|key|either|quoteHint|type\..*|about\..*|noForm|notMatching)|pointer\.(forbiddenSegment|listIndex)|file\.(nul|absolute|climbs|outsideRoot|linkOutside)|expr\.(atCharacter|why\..*))$/
const UNREACHABLE: readonly string[] = ['mapping.file.loadFailed', 'mapping.schema.noMatch', 'mapping.schema.tooFew']

/** Write the case's files in a folder of its own; the mapping file's path. */
function writeCase (t: Test, c: Case): string {
  const dir = mkdtempSync(join(tmpdir(), 'cb-map-diag-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, content] of Object.entries(c.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), content)
  }
  if (c.link === true) {
    // A table file beside the mappings folder, reached through a link inside it.
    const outside = `${dir}-outside.yaml`
    writeFileSync(outside, 'codes: { "1": a }\n')
    t.teardown(() => rmSync(outside, { force: true }))
    symlinkSync(outside, join(dir, 'tables', 'link.yaml'))
  }
  return join(dir, 'm.yaml')
}

async function errorOf (t: Test, c: Case, file: string): Promise<MappingFileError | undefined> {
  try {
    await loadMapping(file, c.agency === undefined ? {} : { agency: c.agency })
  } catch (err) {
    if (err instanceof MappingFileError) return err
    t.fail(`${c.key}: expected a MappingFileError, got ${String(err)}`)
    return undefined
  }
  t.fail(`${c.key}: the mapping compiled`)
  return undefined
}

/** Every key of a text and of the texts inside it. */
function keysIn (x: Text): string[] {
  return [x.key, ...Object.values(x.params).flatMap(p => typeof p === 'object' && 'key' in p ? keysIn(p) : [])]
}

const zh = translator('zh-CN')
const en = translator('en')

t.test('every kind of mapping-file error is worded in Chinese with no English sentence, and in English exactly as its message', async t => {
  const seen = new Set<string>()
  for (const c of CASES) {
    const err = await errorOf(t, c, writeCase(t, c))
    if (err === undefined) continue
    t.equal(err.key, c.key, `${c.key}: the case raises the error it is for (${err.message})`)
    if (typeof err.text !== 'string') for (const k of keysIn(err.text)) seen.add(k)
    const chinese = describeMappingFileError(err, zh)
    t.ok(chinese.startsWith(`${err.where}: `), `${c.key}: the position stays first`)
    t.match(chinese.slice(err.where.length), /[\u4e00-\u9fff]/, `${c.key}: says it in Chinese`)
    t.same(latinSentences(chinese.slice(err.where.length)), [], `${c.key}: no English sentence in "${chinese}"`)
    t.equal(describeMappingFileError(err, en), err.message, `${c.key}: the English wording is the message`)
  }
  const errorKeys = Object.keys(MAPPING_MESSAGES_EN).filter(k => k.startsWith('mapping.') && !NOT_AN_ERROR_OF_ITS_OWN.test(k) && !UNREACHABLE.includes(k))
  t.same(errorKeys.filter(k => !seen.has(k)), [], 'a case for every mapping-file error key')
})

t.test('the schema words of a mapping file in English are the schema\'s own', async t => {
  const { TRANSLATED_SCHEMA_WORDS } = await import('../../src/mapping/schema-check.js')
  const { readFileSync } = await import('node:fs')
  const schema = JSON.parse(readFileSync(new URL('../../schemas/mapping.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>
  for (const [node, key] of Object.entries(TRANSLATED_SCHEMA_WORDS)) {
    const found = node.slice(2).split('/').reduce<unknown>((n, s) => (n as Record<string, unknown> | undefined)?.[s], schema) as { description?: string; 'x-allowed-keys'?: string } | undefined
    t.equal(en(key), found?.['x-allowed-keys'] ?? found?.description, `${node}: the catalogue repeats the schema's words`)
  }
})

/** The families the issue names, through the command an administrator runs. */
const THROUGH_THE_CLI: readonly MessageKey[] = ['mapping.yamlSyntax', 'mapping.rule.unknownTable', 'mapping.rule.unknownDateFormat', 'mapping.rule.requiredAndDefault', 'mapping.pointer.overlaps',
  'mapping.expr.invalid', 'mapping.schema.unknownKey', 'mapping.schema.missingKey', 'mapping.schema.wrongType', 'mapping.schema.unknownValue', 'mapping.table.fileRefused']

t.test('casebridge mapping test words a broken mapping file in Chinese by default and in English with --lang en, exit 2 in both', async t => {
  for (const key of THROUGH_THE_CLI) {
    const c = CASES.find(x => x.key === key)!
    const file = writeCase(t, c)
    const err = await errorOf(t, c, file)
    const chinese = await runCli(['mapping', 'test', file, 'sample.csv'])
    t.equal(chinese.code, 2, `${key}: zh-CN exit 2`)
    t.equal(chinese.stderr, `casebridge: ${err === undefined ? '' : describeMappingFileError(err, zh)}\n`, `${key}: zh-CN names the position and the problem in Chinese`)
    t.same(latinSentences(chinese.stderr.slice(`casebridge: ${err?.where ?? ''}`.length)), [], `${key}: no English sentence`)
    const english = await runCli(['mapping', 'test', file, 'sample.csv', '--lang', 'en'])
    t.equal(english.code, 2, `${key}: en exit 2`)
    t.equal(english.stderr, `casebridge: ${err?.message ?? ''}\n`, `${key}: in English, the message as before`)
  }
})
