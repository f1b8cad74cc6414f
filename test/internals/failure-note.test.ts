import t from 'tap'
import { failureNoteOf, parseFailureNote } from '../../src/logging/failure-note.js'
import { RemoteUnavailableError } from '../../src/errors.js'

t.test('a failure note keeps the code, the class and the message, with ID numbers, phones and tokens masked', async t => {
  const err = new RemoteUnavailableError('agency answered HTTP 500: party 320322199001011234, phone 13912345678, sent Authorization: Bearer abcdef0123456789')
  const note = failureNoteOf(err, Date.UTC(2026, 11, 4, 1, 0, 0))
  t.equal(note.code, 'CB_ERR_REMOTE_UNAVAILABLE')
  t.equal(note.error, 'RemoteUnavailableError')
  t.equal(note.at, '2026-12-04T01:00:00.000Z')
  t.match(note.message, /^agency answered HTTP 500/)
  for (const secret of ['320322199001011234', '13912345678', 'abcdef0123456789']) t.notOk(note.message.includes(secret), `${secret} is masked`)
})

t.test('a long message is cut, and an error that is not the hub\'s own has the unexpected code', async t => {
  const note = failureNoteOf(new TypeError('x'.repeat(1000)))
  t.equal(note.code, 'CB_ERR_UNEXPECTED')
  t.equal(note.error, 'TypeError')
  t.ok([...note.message].length <= 301, 'at most 300 characters and an ellipsis')
  t.equal(failureNoteOf('a thrown string').message, 'a thrown string')
})

t.test('a stored note reads back; anything else reads as none', async t => {
  const note = failureNoteOf(new RemoteUnavailableError('down'))
  t.same(parseFailureNote(JSON.stringify(note)), note)
  t.equal(parseFailureNote(undefined), undefined)
  t.equal(parseFailureNote('not json'), undefined)
  t.equal(parseFailureNote('{"code":1}'), undefined)
})
