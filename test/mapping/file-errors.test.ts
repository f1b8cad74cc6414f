import t, { type Test } from 'tap'
import { join } from 'node:path'
import { compileMapping, loadMapping } from '../../src/mapping/load-mapping.js'
import { MAPPING_HEAD, mappingErrorOf } from '../helpers/mapping-errors.js'

const FILE = '/agency/mappings/bad.yaml'
const head = MAPPING_HEAD

const errorOf = (t: Test, text: string): string => mappingErrorOf(t, text, FILE)

t.test('a YAML syntax error is reported at the parser\'s line and column', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a:\n    from: A\n   date: x\n'), `${FILE}:7:1: YAML syntax error: All mapping items must start at the same column`)
  t.match(errorOf(t, head + 'fields:\n  /a: { from: A\n  /b: x\n'), new RegExp(`^${FILE}:6:3: YAML syntax error: `))
})

t.test('a duplicate key is reported where it is repeated', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A }\n  /a: { from: B }\n'), `${FILE}:6:3: YAML syntax error: Map keys must be unique`)
})

t.test('an unknown top-level key is reported at the key, with the allowed keys', async t => {
  t.equal(errorOf(t, head + 'feilds:\n  /a: { from: A }\n'),
    `${FILE}:4:1: unknown key "feilds" (allowed: version, agency, timezone, caseNumberField, input, skip, constants, derive, absent, tables, fields)`)
})

t.test('an unknown key in a rule lists the keys a rule allows', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, fomrat: x }\n'),
    `${FILE}:5:18: unknown key "fomrat" (allowed: from, const, concat, separator, expr, when, text, split, date, money, table, parse, as, required, default, personal)`)
  t.equal(errorOf(t, head + 'fields:\n  /p:\n    each: DSR\n    date: yyyyMMdd\n    fields:\n      /a: { from: A }\n'),
    `${FILE}:7:5: unknown key "date" (allowed: each, fields, when, required, default)`)
})

t.test('a field key that is not a canonical pointer says what keys look like', async t => {
  t.equal(errorOf(t, head + 'fields:\n  caseNumber: { from: A }\n'), `${FILE}:5:3: unknown key "caseNumber" (allowed: canonical pointers, like /dates/filed)`)
})

t.test('an unknown table lists the defined tables', async t => {
  const tables = 'tables:\n  status: { codes: { "1": a }, unknown: reject }\n  partyKind: { codes: { "1": a }, unknown: reject }\n'
  t.equal(errorOf(t, head + tables + 'fields:\n  /a: { from: A, table: stauts }\n'), `${FILE}:8:25: unknown table "stauts" (allowed: status, partyKind)`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, table: status }\n'), `${FILE}:5:25: unknown table "status" (allowed: (none defined))`)
})

t.test('an unknown date format lists the supported formats', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, date: dd.MM.yyyy }\n'),
    `${FILE}:5:24: unknown date format "dd.MM.yyyy" (allowed: yyyyMMdd, yyyyMMddHHmmss, yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, yyyy/M/d, yyyy/M/d H:mm:ss, yyyy年M月d日, yyyy年M月d日 H时m分, excelDays, unixMs, unixSeconds, timestamp)`)
})

t.test('an unknown text transform is reported at the list item, with the supported ones', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, text: [trim, uppercase] }\n'),
    `${FILE}:5:31: unknown text transform "uppercase" (allowed: trim, upper, lower, halfwidth, collapseSpaces, removeSpaces)`)
})

t.test('unknown money units and parsers list the supported ones', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, money: jiao }\n'), `${FILE}:5:25: unknown money unit "jiao" (allowed: yuan, fen, wanyuan)`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, parse: jsonata }\n'), `${FILE}:5:25: unknown parser "jsonata" (allowed: legalBasis)`)
})

t.test('an unknown value of a fixed set lists the allowed values', async t => {
  t.equal(errorOf(t, head + 'tables:\n  s: { codes: { "1": a }, unknown: ignore }\nfields:\n  /a: { from: A, table: s }\n'),
    `${FILE}:5:36: "unknown" has an unknown value (allowed: reject, pass, default)`)
})

t.test('contradictory rules are refused', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, date: yyyyMMdd, money: yuan }\n'), `${FILE}:5:34: use only one of date, money, table, parse in one rule (this rule has date and money)`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { text: [trim] }\n'), `${FILE}:5:7: a rule needs exactly one of from, const, concat, expr, each or choose (/a)`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, const: 1 }\n'), `${FILE}:5:7: a rule needs exactly one of from, const, concat, expr, each or choose (/a)`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { const: 1, text: [trim] }\n'), `${FILE}:5:19: "text" cannot be used with const (allowed with const: when)`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, required: true, default: x }\n'), `${FILE}:5:34: required and default contradict each other: a rule with a default is never missing`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { from: A, when: { field: B } }\n'), `${FILE}:5:24: a condition needs exactly one operator (found none; allowed: equals, notEquals, in, notIn, present, contains, startsWith, all, any, not)`)
})

t.test('a pointer set twice, or as a whole and in parts, is refused', async t => {
  t.equal(errorOf(t, head + 'constants:\n  /agency: { code: x }\nfields:\n  /agency/name: { from: A }\n'),
    `${FILE}:7:3: /agency/name overlaps /agency (at ${FILE}:5:3); a value cannot be set both as a whole and in parts`)
  t.equal(errorOf(t, head + 'fields:\n  /parties/0/name: { from: A }\n'),
    `${FILE}:5:3: /parties/0/name: "0" looks like a list index; lists are built with each, split or parse, not addressed by index`)
  t.equal(errorOf(t, head + 'fields:\n  /__proto__/x: { from: A }\n'), `${FILE}:5:3: /__proto__/x: "__proto__" cannot be a property name`)
})

t.test('missing keys and wrong types say what was expected', async t => {
  t.equal(errorOf(t, 'agency: a\ncaseNumberField: A\nfields:\n  /a: { from: A }\n'), `${FILE}:1:1: missing required key "version"`)
  t.equal(errorOf(t, 'version: 2024.1\nagency: a\ncaseNumberField: A\nfields:\n  /a: { from: A }\n'), `${FILE}:1:10: "version" must be text, found a number; put it in quotes`)
  t.equal(errorOf(t, ''), `${FILE}:1:1: the file must be a map of keys and values, found nothing`)
  t.equal(errorOf(t, head + 'fields: {}\n'), `${FILE}:4:9: "fields" must not be empty`)
  t.match(errorOf(t, head + 'timezone: "8"\nfields:\n  /a: { from: A }\n'), new RegExp(`^${FILE}:4:11: "timezone" is not valid here: .*\\+08:00`))
})

t.test('a misspelt key is reported before the required key it leaves missing', async t => {
  t.equal(errorOf(t, head + 'feilds:\n  /a: { from: A }\n'), `${FILE}:4:1: unknown key "feilds" (allowed: version, agency, timezone, caseNumberField, input, skip, constants, derive, absent, tables, fields)`)
})

t.test('loadMapping names an unreadable file', async t => {
  const missing = join('/nonexistent-dir', 'nope.yaml')
  await t.rejects(loadMapping(missing), { name: 'MappingFileError', message: `${missing}: cannot read the mapping file (ENOENT)` })
})

t.test('a file loaded for another agency than its agency: says is refused at agency:', async t => {
  t.throws(() => compileMapping(head + 'fields:\n  /a: { from: A }\n', FILE, { agency: 'urban-management-peixian' }),
    { message: `${FILE}:2:9: this mapping is for agency "test-agency", but the hub configuration uses it for agency "urban-management-peixian"` })
})

t.test('problems in concat and choose name the item and the alternative', async t => {
  t.equal(errorOf(t, head + 'fields:\n  /a: { concat: [A, [B]] }\n'), `${FILE}:5:21: item 2 of "concat" is not valid here: A source path, or a fixed text written { const: … }.`)
  t.equal(errorOf(t, head + 'fields:\n  /a: { choose: [ { from: A, date: dd.MM } ] }\n'), `${FILE}:5:36: unknown date format "dd.MM" (allowed: yyyyMMdd, yyyyMMddHHmmss, yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, yyyy/M/d, yyyy/M/d H:mm:ss, yyyy年M月d日, yyyy年M月d日 H时m分, excelDays, unixMs, unixSeconds, timestamp)`)
})
