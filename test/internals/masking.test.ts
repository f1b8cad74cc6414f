import t from 'tap'
import { Writable } from 'node:stream'
import { maskPersonal, maskText, maskValue } from '../../src/logging/mask.js'
import { createLogger } from '../../src/logging/logger.js'

const ID = '32032219880512341X'

t.test('an ID number keeps only a hint of itself', async t => {
  t.equal(maskValue(ID), '320*************1X')
  t.equal(maskText(`party ${ID} refused`), 'party 320*************1X refused')
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
  t.match(line, '320*************1X')
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
  t.match(parsed.err.stack, '320*************1X')
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

t.test('ID and phone numbers are found inside text glued to letters, in full-width digits, split by spaces or dashes', async t => {
  for (const [text, hidden] of [
    ['ID320302197106238515', '320302197106238515'],
    ['SFZ320302197204285809号', '320302197204285809'],
    ['证件３２０３０２１９７１０６２３８５１５', '３２０３０２１９７１０６２３８５１５'],
    ['身份证 320302 19710623 8515', '320302 19710623 8515'],
    ['320302-1971-0623-851X', '320302-1971-0623-851X'],
    ['电话13812345678联系', '13812345678'],
    ['tel:138 1234 5678', '138 1234 5678'],
    ['手机１３８－１２３４－５６７８', '１３８－１２３４－５６７８'],
    ['座机0516-89001234', '0516-89001234'],
  ] as const) {
    const masked = maskText(text)
    t.notMatch(masked, hidden, `${text}: masked`)
    t.notMatch(masked.replace(/[\s\-－]/g, ''), /\d{7}/, `${text}: no seven digits left in a row`)
  }
  t.equal(maskText('filed 2024-01-05T10:00:00+08:00, fine 500.00, case 沛市监罚〔2024〕12号'), 'filed 2024-01-05T10:00:00+08:00, fine 500.00, case 沛市监罚〔2024〕12号', 'dates, amounts and case numbers are left alone')
})

t.test('by allow-list: strings under keys not known to be free of personal data are masked whole', async t => {
  const masked = maskPersonal({ caseNumber: 'A-1', regionCode: '320322', ZRXM: '王五', LXDH: '13812345678', ZZ: '沛县汉城路1号', AQZY: '证人王五称……', phone: 13812345678, count: 3, fine: '500.00' }) as Record<string, unknown>
  t.same(masked, { caseNumber: 'A-1', regionCode: '320322', ZRXM: '[masked: 2 characters]', LXDH: '[masked: 11 characters]', ZZ: '[masked: 7 characters]', AQZY: '[masked: 7 characters]', phone: '[masked: 11 characters]', count: 3, fine: '500.00' })
})

t.test('a long value in a mapping problem is masked from its head only, and shows what masking it whole would show', async t => {
  const { shownValue } = await import('../../src/mapping/problems.js')
  const reference = (value: string, personal: boolean): string => {
    const chars = Array.from(personal ? maskValue(value) : maskText(value))
    return chars.length <= 120 ? chars.join('') : chars.slice(0, 120).join('') + '…'
  }
  const fill = '事'.repeat(4096)
  const cases: [string, string][] = [
    ['a 5 MB field of one character', '事'.repeat(5_000_000)],
    ['an ID number at the start', `${ID}${fill}`],
    ['an ID number straddling the head\'s end', `${'x'.repeat(4090)}${ID}${fill}`],
    ['a phone number in spaced groups straddling the head\'s end', `${'y'.repeat(4085)}138 1234 5678${fill}`],
    ['a bearer token longer than the head', `Bearer ${'t'.repeat(10_000)} then ${ID} after it ${fill}`],
    ['several bearer tokens shrinking the head below what is shown', `${'Bearer abcdefghijklmnop '.repeat(300)}${ID} ${fill}`],
    ['surrogate pairs across the head\'s end', `${'𠀀'.repeat(3000)}${fill}`],
  ]
  for (const [what, value] of cases) {
    t.equal(shownValue(value, false), reference(value, false), what)
    t.equal(shownValue(value, true), reference(value, true), `${what}, personal`)
  }
})
