import t from 'tap'
import { mapPage, unreadableEntries } from '../../src/pipeline/map-records.js'
import type { CompiledMapping } from '../../src/mapping/types.js'

// A stand-in mapping (pure logic under test): records with OK="no" fail, others are skipped.
const mapping = {
  agency: 'a', version: 'v1', file: '/m.yaml', input: { encoding: 'utf-8' }, usesExpressions: false,
  map: (raw: Record<string, unknown>) => raw.OK === 'no'
    ? { kind: 'failed' as const, caseNumber: String(raw.AJBH), problems: [{ canonicalField: '/dates/filed', rule: 'date:yyyyMMdd', message: 'expected yyyyMMdd' }] }
    : { kind: 'skipped' as const, caseNumber: String(raw.AJBH), rule: 'skip:test' },
  mapAsync: async () => { throw new Error('not used') },
  sourceFieldFor: () => undefined,
} as unknown as CompiledMapping

t.test('a record that fails mapping carries the file and line it was read from into quarantine', async t => {
  const page = await mapPage('a', mapping, [{ AJBH: 'A-1', OK: 'yes' }, { AJBH: 'A-2', OK: 'no' }], [{ file: 'x.csv', line: 2 }, { file: 'x.csv', line: 5 }])
  t.equal(page.quarantined.length, 1)
  t.same(page.quarantined[0]?.origin, { file: 'x.csv', line: 5 }, 'the origin of the failing record, not its neighbour\'s')
  t.equal(page.quarantined[0]?.caseNumber, 'A-2')
  const without = await mapPage('a', mapping, [{ AJBH: 'A-2', OK: 'no' }])
  t.equal(without.quarantined[0]?.origin, undefined, 'no origin when the source gives none')
})

t.test('rows the parser could not read become quarantine entries of stage parse, keyed by file and line', async t => {
  const entries = unreadableEntries('a', 'v1', [{ file: 'x.csv', line: 7, message: 'expected 5 fields as the header row has, found 6' }, { file: 'x.csv', line: 9, message: 'expected …' }])
  t.equal(entries.length, 2)
  t.match(entries[0], { agencyId: 'a', stage: 'parse', caseNumber: undefined, mappingVersion: 'v1', origin: { file: 'x.csv', line: 7 } })
  t.match(entries[0]?.problems[0]?.message, /x\.csv, line 7: expected 5 fields/)
  t.not(entries[0]?.recordKey, entries[1]?.recordKey, 'one entry per line')
  t.equal(unreadableEntries('a', 'v2', [{ file: 'x.csv', line: 7, message: 'again' }])[0]?.recordKey, entries[0]?.recordKey, 'the same row read again replaces its entry')
})
