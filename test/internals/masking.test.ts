import t from 'tap'
import { Writable } from 'node:stream'
import { maskPersonal, maskText, maskValue } from '../../src/logging/mask.js'
import { createLogger } from '../../src/logging/logger.js'

const ID = '32032219880512341X'

t.test('an ID number keeps only a hint of itself', async t => {
  t.equal(maskValue(ID), '320*************1X')
  t.equal(maskText(`party ${ID} refused`), 'party 320************1X refused')
})

t.test('sensitive keys are masked deep inside records while the agency name stays readable', async t => {
  const masked = maskPersonal({ agency: { name: '沛县市场监督管理局' }, parties: [{ kind: 'person', name: '张三丰', idNumber: ID }], token: 'abcdef123456' }) as { agency: { name: string }; parties: { name: string; idNumber: string }[]; token: string }
  t.equal(masked.agency.name, '沛县市场监督管理局')
  t.equal(masked.parties[0]?.name, '张**')
  t.equal(masked.parties[0]?.idNumber, '320*************1X')
  t.equal(masked.token, 'abc*******56')
})

t.test('bearer tokens in free text are masked', async t => {
  t.equal(maskText('Authorization: Bearer s3cr3t-token-value'), 'Authorization: Bearer ***')
})

t.test('every log line is masked, message text included', async t => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
  const logger = createLogger({ level: 'info' }, sink)
  logger.info({ record: { DSRXM: '李四', ZJHM: ID }, authorization: 'Bearer abc' }, `rejected ${ID}`)
  const line = lines.join('')
  t.notMatch(line, ID, 'no full ID number anywhere in the line')
  t.notMatch(line, '李四', 'no party name')
  t.notMatch(line, 'Bearer abc')
  t.match(line, '320************1X')
})

t.test('an error logged with an ID number or a token in its message, stack or cause is masked too', async t => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
  const logger = createLogger({ level: 'info' }, sink)
  const cause = new Error(`upstream said: party ${ID} unknown`)
  logger.error({ err: new Error(`push refused with Authorization: Bearer s3cr3t-abc for ${ID}`, { cause }), nested: { failure: new TypeError(`bad ${ID}`) } }, 'push failed')
  const line = lines.join('')
  t.notMatch(line, ID, 'no full ID number in message, stack or cause')
  t.notMatch(line, 's3cr3t-abc', 'no token')
  const parsed = JSON.parse(line) as { err: { type: string; message: string; stack: string }; nested: { failure: { type: string } } }
  t.equal(parsed.err.type, 'Error', 'the error keeps its shape (type, message, stack)')
  t.match(parsed.err.message, 'Bearer ***')
  t.match(parsed.err.stack, '320************1X')
  t.equal(parsed.nested.failure.type, 'TypeError', 'an error under any key is serialized, not dropped')
})

t.test('child logger bindings are masked', async t => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
  const logger = createLogger({ level: 'info' }, sink).child({ token: 'abcdef123456', record: `row of ${ID}` })
  logger.info('hello')
  const line = lines.join('')
  t.notMatch(line, 'abcdef123456')
  t.notMatch(line, ID)
})
