import t from 'tap'
import { PassThrough, Readable } from 'node:stream'
import iconv from 'iconv-lite'
import { readRecords, type ReadItem } from '../../src/formats/read-records.js'
import { XmlRecordSplitter, MAX_XML_RECORD_CHARS, MAX_XML_RECORD_DEPTH } from '../../src/formats/xml-splitter.js'
import { UnreadableFileError } from '../../src/errors.js'

const PATH = '导出.案件列表.案件'
const record = (i: number): string => `<案件 类型="一般"><AJBH>HB-${i}</AJBH><AQZY>经查，当事人擅自设摊经营。</AQZY><DSR><XM>张三</XM></DSR></案件>`

async function readAll (input: Readable | Uint8Array, xmlRecordPath?: string): Promise<ReadItem[]> {
  const items: ReadItem[] = []
  for await (const item of readRecords(input, { encoding: 'utf-8', format: 'xml', fileName: 'x.xml', ...(xmlRecordPath === undefined ? {} : { xmlRecordPath }) })) items.push(item)
  return items
}
const summary = (items: ReadItem[]): string[] => items.map(i => 'record' in i ? `${String(i.record.AJBH ?? '-')}@${i.line}` : `error@${i.error.line}`)

function trickle (text: string | Buffer, size: number): Readable {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text
  const pieces: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size))
  return Readable.from(pieces)
}

t.test('XML is streamed: the first record arrives while the rest of the file has not been sent', async t => {
  const input = new PassThrough()
  input.write(`<导出>\n<案件列表>\n${record(1)}\n${record(2)}\n`)
  const iterator = readRecords(input, { encoding: 'utf-8', format: 'xml', xmlRecordPath: PATH, fileName: 'x.xml' })[Symbol.asyncIterator]()
  const first = await iterator.next()
  t.match(first.value, { record: { AJBH: 'HB-1', '@类型': '一般', DSR: { XM: '张三' } }, line: 3 })
  t.equal(input.writableEnded, false, 'the input is still open')
  input.end(`${record(3)}\n</案件列表>\n</导出>\n`)
  const rest: ReadItem[] = []
  for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) rest.push(r.value)
  t.same(summary(rest), ['HB-2@4', 'HB-3@5'])
})

t.test('XML cut into pieces of any size reads the same, GBK characters and markup split between chunks included', async t => {
  const text = `<?xml version="1.0" encoding="GBK"?>\n<!-- 导出 </案件> -->\n<导出>\n<案件列表>\n${record(1)}\n<案件><AJBH>HB-2</AJBH><AQZY><![CDATA[含 </案件> 和 <b> 的文本]]></AQZY><A x="1>2" y='</案件>'/></案件>\n<!-- a comment -->\n${record(3)}\n</案件列表>\n</导出>\n`
  const whole = await readAll(Buffer.from(text), PATH)
  t.same(summary(whole), ['HB-1@5', 'HB-2@6', 'HB-3@8'])
  t.equal((whole[1] as { record: Record<string, unknown> }).record.AQZY, '含 </案件> 和 <b> 的文本', 'CDATA is text, markup inside it is not')
  t.same((whole[1] as { record: Record<string, unknown> }).record.A, { '@x': '1>2', '@y': '</案件>' }, 'quoted ">" in attributes does not end the tag')
  for (const size of [1, 2, 3, 7, 64]) {
    const bytes = iconv.encode(text, 'gbk')
    const items: ReadItem[] = []
    for await (const item of readRecords(trickle(bytes, size), { encoding: 'gbk', format: 'xml', xmlRecordPath: PATH, fileName: 'x.xml' })) items.push(item)
    t.same(items, whole, `pieces of ${size} bytes (GBK)`)
  }
})

t.test('XML: a DOCTYPE is skipped unread — its entities are not defined, an external DTD is not fetched', async t => {
  const text = '<!DOCTYPE cases SYSTEM "file:///etc/passwd" [\n <!ENTITY x "]>\'"> <!-- ]> -->\n <!ENTITY y SYSTEM "http://127.0.0.1:1/evil">\n]>\n<cases><case><AJBH>1</AJBH><A>&x;&y;&amp;</A></case></cases>\n'
  const items = await readAll(Buffer.from(text))
  t.same(items, [{ record: { AJBH: '1', A: '&x;&y;&amp;' }, line: 5 }], 'entity references stay as written')
})

t.test('XML: a malformed record is an error item with its line, and the records after it are read', async t => {
  const text = `<cases>\n<case><AJBH>1</AJBH></case>\n<case><AJBH x=oops>2</AJBH></case>\n<case><AJBH>3</AJBH></case>\n</cases>\n`
  const items = await readAll(Buffer.from(text))
  t.same(summary(items), ['1@2', 'error@3', '3@4'])
  t.match((items[1] as { error: { message: string } }).error.message, /expected a well-formed <case> record/)
})

t.test('XML: a record larger than the limit is an error item; the file is still read and memory stays at one chunk', async t => {
  const big = 'x'.repeat(MAX_XML_RECORD_CHARS + 10)
  const splitter = new XmlRecordSplitter(undefined)
  let peak = 0
  const out: string[] = []
  const text = `<cases>\n<case><AJBH>1</AJBH></case>\n<case><AJBH>2</AJBH><AQZY>${big}</AQZY></case>\n<case><AJBH>3</AJBH></case>\n</cases>\n`
  for (let i = 0; i < text.length; i += 1 << 16) {
    for (const item of splitter.push(text.slice(i, i + (1 << 16)))) out.push('xml' in item ? `ok@${item.line}` : `error@${item.error.line}: ${item.error.message}`)
    peak = Math.max(peak, splitter.buffered)
  }
  for (const item of splitter.end()) out.push('xml' in item ? `ok@${item.line}` : 'error')
  t.equal(out.length, 3)
  t.equal(out[0], 'ok@2')
  t.match(out[1], /^error@3: expected records of at most 16777216 characters/)
  t.equal(out[2], 'ok@4', 'the record after it is read')
  t.ok(peak <= MAX_XML_RECORD_CHARS + 2 * (1 << 16), `held at most ${peak} characters`)
})

t.test('XML: a record nesting 10,000 levels deep is an error item, and the next record is read', async t => {
  const deep = '<a>'.repeat(10_000) + 'x' + '</a>'.repeat(10_000)
  const items = await readAll(Buffer.from(`<cases>\n<case><AJBH>1</AJBH>${deep}</case>\n<case><AJBH>2</AJBH></case>\n</cases>`))
  t.same(summary(items), ['error@2', '2@3'])
  t.match((items[0] as { error: { message: string } }).error.message, new RegExp(`nested at most ${MAX_XML_RECORD_DEPTH} levels`))
})

t.test('XML: broken structure makes the file unreadable with its line, after the records before it', async t => {
  const cases: [string, RegExp, number][] = [
    ['<cases>\n<case><AJBH>1</AJBH></case>\n<case><AJBH>2</case>\n</cases>', /expected <\/AJBH> \(opened on line 3\), found <\/case>/, 3],
    ['<cases>\n<case><AJBH>1</AJBH></case>\n', /expected <\/cases> \(opened on line 1\); the file ends inside it/, 3],
    ['<cases><case><AJBH>1</AJBH></case></cases>\n<cases/>', /expected one root element/, 2],
    ['<cases><case><AJBH>1</AJBH></case></cases>\ntrailing', /expected nothing but comments after <\/cases>/, 2],
    ['<cases><case><AJBH>1</AJBH></case><!-- not closed', /expected the markup starting on this line to end; the file ends inside it/, 1],
  ]
  for (const [text, message, line] of cases) {
    const items: ReadItem[] = []
    const err = await (async () => { for await (const item of readRecords(Buffer.from(text), { encoding: 'utf-8', format: 'xml', fileName: 'x.xml' })) items.push(item) })().then(() => undefined, (e: unknown) => e)
    t.ok(err instanceof UnreadableFileError, `unreadable: ${JSON.stringify(text.slice(-20))}`)
    t.match(err, { line, message: new RegExp(`x\\.xml: line ${line}: expected well-formed XML \\(${message.source}`) })
    t.same(summary(items), [`1@${text.slice(0, text.indexOf('<case>')).split('\n').length}`], 'the record before the break was read')
  }
})

t.test('XML reading holds one record whatever the file size: 200,000 records pass through a bounded buffer', async t => {
  const splitter = new XmlRecordSplitter(PATH.split('.'))
  let peak = 0
  let records = 0
  let chars = 0
  const feed = (chunk: string): void => {
    chars += chunk.length
    for (const item of splitter.push(chunk)) if ('xml' in item) records++
    peak = Math.max(peak, splitter.buffered)
  }
  feed('<导出><案件列表>\n')
  for (let i = 0; i < 1000; i++) {
    let chunk = ''
    for (let k = 0; k < 200; k++) chunk += record(i * 200 + k) + '\n'
    feed(chunk)
  }
  feed('</案件列表></导出>\n')
  for (const _ of splitter.end()) records++
  t.equal(records, 200_000)
  t.ok(chars > 17_000_000, `${chars} characters read`)
  t.ok(peak < 40_000, `never more than one chunk and a record held (${peak} characters)`)
})
