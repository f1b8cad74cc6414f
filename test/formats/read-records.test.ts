import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import iconv from 'iconv-lite'
import { readRecords, formatFromFileName, type ReadItem } from '../../src/formats/read-records.js'
import { UnreadableFileError } from '../../src/errors.js'
import type { InputOptions } from '../../src/formats/input-options.js'
import { projectRoot } from '../../src/paths.js'

const utf8: InputOptions = { encoding: 'utf-8' }

async function readAll (input: Readable | Uint8Array, options: InputOptions & { fileName?: string }): Promise<ReadItem[]> {
  const items: ReadItem[] = []
  for await (const item of readRecords(input, options)) items.push(item)
  return items
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection (promise: Promise<unknown>): Promise<UnreadableFileError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof UnreadableFileError) return err
    throw err
  }
  throw new Error('expected the read to fail with UnreadableFileError, it succeeded')
}

const records = (items: ReadItem[]): Record<string, unknown>[] => items.flatMap(i => 'record' in i ? [i.record] : [])
const errors = (items: ReadItem[]): { line: number; message: string }[] => items.flatMap(i => 'error' in i ? [i.error] : [])
const lines = (items: ReadItem[]): number[] => items.flatMap(i => 'record' in i ? [i.line] : [])

/** A stream that hands out `bytes` in pieces of `size` bytes, to cut characters and rows apart. */
function trickle (bytes: Uint8Array, size: number): Readable {
  const pieces: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) pieces.push(Buffer.from(bytes.subarray(i, i + size)))
  return Readable.from(pieces, { objectMode: false })
}

t.test('format is taken from the file extension, case-insensitively, and unknown extensions give undefined', async t => {
  t.equal(formatFromFileName('cases.CSV'), 'csv')
  t.equal(formatFromFileName('a.b.json'), 'json')
  t.equal(formatFromFileName('x.jsonl'), 'ndjson')
  t.equal(formatFromFileName('x.ndjson'), 'ndjson')
  t.equal(formatFromFileName('x.xml'), 'xml')
  t.equal(formatFromFileName('x.xlsx'), undefined)
  t.equal(formatFromFileName('README'), undefined)
})

t.test('a file whose format cannot be told is refused with a typed error naming it', async t => {
  t.match(await rejection(readAll(Buffer.from('a,b\n1,2\n'), { ...utf8, fileName: 'cases.dat' })), { code: 'CB_ERR_UNREADABLE_FILE', message: /cases\.dat: cannot tell the file format/ })
})

t.test('CSV: header row, byte-order mark, quoted newlines and doubled quotes, with each record\'s starting line', async t => {
  const text = '\ufeffAJBH,AQZY,CFJE\nA-1,"first line\nsecond line",100\nA-2,"he said ""stop""",200\n\nA-3,plain,300\n'
  const items = await readAll(Buffer.from(text), { ...utf8, fileName: 'c.csv' })
  t.same(records(items), [
    { AJBH: 'A-1', AQZY: 'first line\nsecond line', CFJE: '100' },
    { AJBH: 'A-2', AQZY: 'he said "stop"', CFJE: '200' },
    { AJBH: 'A-3', AQZY: 'plain', CFJE: '300' },
  ])
  t.same(lines(items), [2, 4, 6], 'a record spanning lines 2–3 starts on 2; the blank line 5 is skipped')
  t.same(errors(items), [])
})

t.test('CSV: a row with the wrong number of fields is an error item naming its line and the expected count, and reading goes on', async t => {
  const text = 'AJBH,AQZY\nA-1,ok\nA-2,too,many\nA-3,"bad"quote\nA-4,fine\nA-5\n'
  const items = await readAll(Buffer.from(text), { ...utf8, fileName: 'c.csv' })
  t.same(records(items).map(r => r.AJBH), ['A-1', 'A-3', 'A-4'], 'good rows (and a stray quote kept as text) are read')
  t.equal(records(items)[1]?.AQZY, '"bad"quote', 'a stray quote stays text')
  t.same(errors(items).map(e => e.line), [3, 6])
  t.match(errors(items)[0]?.message, /expected 2 fields as the header row has, found 3/)
  t.match(errors(items)[1]?.message, /expected 2 fields as the header row has, found 1/)
  t.same(items.map(i => 'record' in i ? i.line : i.error.line), [2, 3, 4, 5, 6], 'items come in line order')
})

t.test('CSV: line numbers stay right with CRLF line ends, also inside quoted fields and after broken rows', async t => {
  const text = 'A,B\r\n1,"x\r\ny"\r\n2,z,extra\r\n\r\n3,"p\r\nq\r\nr"\r\n4,w'
  const items = await readAll(trickle(Buffer.from(text), 7), { ...utf8, fileName: 'crlf.csv' })
  t.same(items.map(i => 'record' in i ? [i.record.A, i.line] : ['error', i.error.line]), [['1', 2], ['error', 4], ['3', 6], ['4', 9]])
  t.equal(records(items)[1]?.B, 'p\r\nq\r\nr', 'CRLF inside a quoted field is kept')
})

t.test('CSV: a configured delimiter is used', async t => {
  const items = await readAll(Buffer.from('a;b\n1;2\n'), { ...utf8, csvDelimiter: ';', fileName: 'c.csv' })
  t.same(records(items), [{ a: '1', b: '2' }])
})

t.test('CSV: a header naming a column twice makes the file unreadable, naming the column', async t => {
  t.match(await rejection(readAll(Buffer.from('a,b,a\n1,2,3\n'), { ...utf8, fileName: 'dup.csv' })), { line: 1, message: /"a" twice/ })
})

t.test('GBK and GB18030 text is decoded correctly even when characters are cut between chunks', async t => {
  const text = 'AJBH,DSRXM,AY\nHB-1,张三,未批先建\nHB-2,李四,超标排放𠀀\n'
  for (const encoding of ['gbk', 'gb18030'] as const) {
    const bytes = iconv.encode(encoding === 'gbk' ? text.replace('𠀀', '') : text, encoding)
    t.not(bytes.toString('utf8').includes('张三'), true, `${encoding} bytes are not UTF-8`)
    const items = await readAll(trickle(bytes, 3), { encoding, fileName: 'c.csv' })
    t.same(records(items).map(r => r.DSRXM), ['张三', '李四'], `${encoding}: names decoded`)
    t.equal(records(items)[1]?.AY, encoding === 'gbk' ? '超标排放' : '超标排放𠀀', `${encoding}: four-byte sequences too`)
  }
})

t.test('CSV is streamed: the first record arrives while the rest of the file has not been sent', async t => {
  const input = new PassThrough()
  input.write('AJBH,AY\nA-1,x\nA-2,y\n')
  const iterator = readRecords(input, { ...utf8, fileName: 'c.csv' })[Symbol.asyncIterator]()
  const first = await iterator.next()
  t.same(first.value, { record: { AJBH: 'A-1', AY: 'x' }, line: 2 })
  t.equal(input.writableEnded, false, 'the input is still open')
  input.end('A-3,z\n')
  const rest: ReadItem[] = []
  for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) rest.push(r.value)
  t.same(records(rest).map(r => r.AJBH), ['A-2', 'A-3'])
})

t.test('stopping early releases the input stream', async t => {
  const input = new PassThrough()
  input.write('AJBH\nA-1\nA-2\n')
  for await (const item of readRecords(input, { ...utf8, fileName: 'c.csv' })) {
    t.ok('record' in item)
    break
  }
  t.equal(input.destroyed, true)
})

t.test('JSON: a top-level array, or an object with one array of records; lines are the records\' first lines', async t => {
  const array = '[\n  {"AJBH": "J-1", "tags": [1, 2]},\n  {"AJBH": "J-2", "AY": "含有 ] 和 } 的文本"}\n]\n'
  const a = await readAll(trickle(Buffer.from(array), 5), { ...utf8, fileName: 'a.json' })
  t.same(records(a), [{ AJBH: 'J-1', tags: [1, 2] }, { AJBH: 'J-2', AY: '含有 ] 和 } 的文本' }])
  t.same(lines(a), [2, 3])
  const wrapped = '{"total": 2, "meta": {"x": [9]},\n "data": [\n {"AJBH": "J-1"},\n {"AJBH": "J-2"}\n ]}'
  const w = await readAll(Buffer.from(wrapped), { ...utf8, fileName: 'w.json' })
  t.same(records(w).map(r => r.AJBH), ['J-1', 'J-2'])
  t.same(lines(w), [3, 4])
})

t.test('JSON: a malformed record is an error item with its line, and the records after it are read', async t => {
  const text = '[\n{"AJBH": "J-1"},\n{"AJBH": "J-2",},\n"just text",\n{"AJBH": "J-3"}\n]'
  const items = await readAll(Buffer.from(text), { ...utf8, fileName: 'b.json' })
  t.same(records(items).map(r => r.AJBH), ['J-1', 'J-3'])
  t.same(errors(items).map(e => e.line), [3, 4])
  t.match(errors(items)[0]?.message, /expected a JSON object for this record/)
  t.match(errors(items)[1]?.message, /found "just text"/)
})

t.test('JSON: broken structure makes the file unreadable, with the line where the problem is', async t => {
  t.match(await rejection(readAll(Buffer.from('[\n{"AJBH": "J-1"},\n{"AJBH": "J-2"\n'), { ...utf8, fileName: 'cut.json' })), { line: 3, message: /ends inside the record/ })
  t.match(await rejection(readAll(Buffer.from('{"a": [1], "b": [2]}'), { ...utf8, fileName: 'two.json' })), { message: /ONE array/ })
  t.match(await rejection(readAll(Buffer.from('{"a": 1}'), { ...utf8, fileName: 'none.json' })), { message: /without an array/ })
  t.match(await rejection(readAll(Buffer.from('42'), { ...utf8, fileName: 'scalar.json' })), { line: 1, message: /expected a JSON array of records/ })
  t.match(await rejection(readAll(Buffer.from('[]\n[]'), { ...utf8, fileName: 'trail.json' })), { line: 2, message: /expected nothing after the end/ })
})

t.test('NDJSON: one object per line; a bad line is an error item and blank lines are ignored', async t => {
  const text = '{"AJBH":"N-1"}\n\n{"AJBH": oops}\n[1]\n{"AJBH":"N-2"}'
  const items = await readAll(trickle(Buffer.from(text), 4), { ...utf8, fileName: 'n.ndjson' })
  t.same(records(items).map(r => r.AJBH), ['N-1', 'N-2'])
  t.same(lines(items), [1, 5])
  t.same(errors(items).map(e => e.line), [3, 4])
  t.match(errors(items)[1]?.message, /found an array/)
})

t.test('XML: records at xmlRecordPath keep text as text, attributes as @keys, and know their lines', async t => {
  const xml = '<?xml version="1.0"?>\n<导出>\n  <案件列表>\n    <案件 类型="一般"><AJBH>007</AJBH><CFJE>1,200.50</CFJE></案件>\n    <案件><AJBH>008</AJBH><DSR><XM>甲</XM></DSR><DSR><XM>乙</XM></DSR></案件>\n  </案件列表>\n</导出>\n'
  const items = await readAll(Buffer.from(xml), { ...utf8, xmlRecordPath: '导出.案件列表.案件', fileName: 'x.xml' })
  t.same(records(items), [
    { '@类型': '一般', AJBH: '007', CFJE: '1,200.50' },
    { AJBH: '008', DSR: [{ XM: '甲' }, { XM: '乙' }] },
  ])
  t.same(lines(items), [4, 5])
  t.same(Object.getOwnPropertySymbols(records(items)[0] ?? {}), [], 'parser metadata is not part of the record')
})

t.test('XML: without xmlRecordPath the repeating child of the root holds the records; when unclear the error says to set it', async t => {
  const items = await readAll(Buffer.from('<cases><case><AJBH>1</AJBH></case></cases>'), { ...utf8, fileName: 'x.xml' })
  t.same(records(items), [{ AJBH: '1' }], 'a single record element counts as a list of one')
  t.same(await readAll(Buffer.from('<cases/>'), { ...utf8, fileName: 'e.xml' }), [], 'an empty root holds no records')
  t.match(await rejection(readAll(Buffer.from('<r><a/><b/></r>'), { ...utf8, fileName: 'y.xml' })), { message: /set input\.xmlRecordPath/ })
  t.match(await rejection(readAll(Buffer.from('<r><a/></r>'), { ...utf8, xmlRecordPath: 'r.case', fileName: 'z.xml' })), { message: /expected element <case> at r\.case/ })
})

t.test('XML: a file that is not well-formed is unreadable, naming the line', async t => {
  t.match(await rejection(readAll(Buffer.from('<cases>\n<case><AJBH>1</AJBH>\n</cases>\n'), { ...utf8, fileName: 'bad.xml' })), { line: Number, message: /bad\.xml: line \d+: expected well-formed XML/ })
})

t.test('XML: an entity bomb is harmless — entities are not expanded', async t => {
  const bytes = readFileSync(join(projectRoot, 'fixtures/hostile/xml-entity-bomb.xml'))
  const before = process.memoryUsage().heapUsed
  const items = await readAll(bytes, { ...utf8, fileName: 'xml-entity-bomb.xml' })
  const got = records(items)
  t.equal(got.length, 2)
  t.equal(got[0]?.AQZY, '&g;', 'the entity reference stays as written')
  t.equal(got[1]?.AQZY, 'plain &lt;text&gt;', 'predefined entities are not expanded either')
  t.ok(process.memoryUsage().heapUsed - before < 50 * 1024 * 1024, 'no expansion in memory')
})

t.test('keys named __proto__, constructor and prototype are data and never reach a prototype', async t => {
  const csv = records(await readAll(readFileSync(join(projectRoot, 'fixtures/hostile/csv-proto-header.csv')), { ...utf8, fileName: 'p.csv' }))[0] ?? {}
  t.equal(Object.getPrototypeOf(csv), Object.prototype, 'CSV record has the plain prototype')
  t.same(Object.keys(csv), ['__proto__', 'constructor', 'prototype', 'AJBH'], 'every column is an own key')
  t.equal(Object.getOwnPropertyDescriptor(csv, '__proto__')?.value, '{"polluted":true}')

  const json = records(await readAll(readFileSync(join(projectRoot, 'fixtures/hostile/json-proto-keys.json')), { ...utf8, fileName: 'p.json' }))
  t.equal(json.length, 2)
  t.equal(Object.getPrototypeOf(json[0]), Object.prototype)
  t.ok(Object.hasOwn(json[0] ?? {}, '__proto__'), 'JSON __proto__ is an own key')
  t.equal(Object.getPrototypeOf((json[1] ?? {}).nested), Object.prototype, 'nested too')

  // fast-xml-parser refuses element names that are JavaScript prototype keys: that record is an error item, nothing leaks.
  const xml = await readAll(readFileSync(join(projectRoot, 'fixtures/hostile/xml-proto-elements.xml')), { ...utf8, fileName: 'p.xml' })
  t.same(records(xml), [], 'the record with <constructor> is not read')
  t.match(errors(xml), [{ line: 2, message: /expected a readable <case> record \(.*constructor/ }], 'it is an error item naming its line')

  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched')
  t.equal((Object.prototype as unknown as Record<string, unknown>).polluted, undefined)
})
