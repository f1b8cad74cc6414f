import t from 'tap'
import { checkedRelative, kindOf, markersFor, safeName, uniqueName } from '../../adapters/file-ingest/drop-names.js'

const rules = { include: ['.csv', '.xml'], markerSuffixes: ['.ok', '.done'] }

t.test('only plain single-segment names are safe', async t => {
  for (const bad of ['', '.', '..', '../x.csv', 'a/b.csv', 'a\\b.csv', '..\\x.csv', 'x\u0000.csv', 'line\nbreak.csv', 'x'.repeat(256)]) t.equal(safeName(bad), false, JSON.stringify(bad.slice(0, 20)))
  for (const good of ['cases.csv', '案件-2024.xml', '..hidden-but-plain.csv', 'a b.csv']) t.equal(safeName(good), true, good)
})

t.test('a relative path with any unsafe segment is refused', async t => {
  t.same(checkedRelative('processed/a.csv'), ['processed', 'a.csv'])
  t.throws(() => checkedRelative('processed/../../etc/passwd'))
  t.throws(() => checkedRelative('/etc/passwd'))
})

t.test('names are data files, markers or ignored; partial uploads and hidden files are never data', async t => {
  t.equal(kindOf('cases.CSV', rules), 'data')
  t.equal(kindOf('cases.csv.ok', rules), 'marker')
  t.equal(kindOf('cases.DONE', rules), 'marker')
  t.equal(kindOf('cases.csv.part', rules), 'ignored')
  t.equal(kindOf('.cases.csv', rules), 'ignored')
  t.equal(kindOf('cases.xlsx', rules), 'ignored')
  t.same(markersFor('cases.csv', rules), ['cases.csv.ok', 'cases.ok', 'cases.csv.done', 'cases.done'])
})

t.test('a name already taken gets a tag before its extension, then a counter', async t => {
  const taken = new Set(['a.csv', 'a.tag.csv'])
  t.equal(await uniqueName('b.csv', 'tag', async n => taken.has(n)), 'b.csv')
  t.equal(await uniqueName('a.csv', 'tag', async n => taken.has(n)), 'a.tag-1.csv')
  t.equal(await uniqueName('README', 'tag', async () => false), 'README')
})
