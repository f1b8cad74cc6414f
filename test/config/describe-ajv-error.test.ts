/**
 * describeAjvError gives each schema problem as a catalogue key with its parameters beside
 * the English text, so a config or mapping file's schema problems can be worded in the
 * operator's language; the English (`expected`) is what it always said.
 */
import t from 'tap'
import { describeAjvError, usefulErrors } from '../../src/config/describe-ajv-error.js'
import { renderText } from '../../src/i18n/texts.js'
import { translator } from '../../src/i18n/translate.js'
import { createAjv } from '../../src/schema/ajv.js'
import { latinSentences } from '../helpers/latin-sentences.js'

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'port'],
  properties: {
    name: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
    port: { type: 'integer', minimum: 1 },
    mode: { enum: ['a', 'b'] },
    kind: { const: 'hub' },
    url: { type: 'string', format: 'uri' },
    tags: { type: 'array', maxItems: 1 },
    env: { type: 'object', propertyNames: { pattern: '^[A-Z]+$' } },
  },
}

t.test('each kind of schema problem has a key and parameters; English as before, Chinese with no English sentence', async t => {
  const validate = createAjv({ verbose: true }).compile(schema)
  t.notOk(validate({ nmae: 1, name: 'X', port: 0, mode: 'c', kind: 'x', url: 'not a uri', tags: [1, 2], env: { lower: '1' } }))
  const described = usefulErrors(validate.errors ?? []).map(describeAjvError)
  const byPath = (path: string): string[] => described.filter(d => d.path.join('.') === path).map(d => d.expected)
  t.same(byPath('nmae'), ['unknown key "nmae"; allowed here: name, port, mode, kind, url, tags, env'])
  t.same(byPath('port'), ['must be >= 1'])
  t.same(byPath('mode'), ['expected one of "a", "b"'])
  t.same(byPath('kind'), ['expected "hub"'])
  t.same(byPath('url'), ['expected a valid uri'])
  t.same(byPath('tags'), ['must NOT have more than 1 items'])
  t.same(byPath('name').sort(), ['expected text matching ^[a-z]+$', 'must NOT have fewer than 2 characters'])
  t.ok(byPath('env').includes('key "lower" is not a valid name'))
  t.notOk(validate({}))
  const missing = usefulErrors(validate.errors ?? []).map(describeAjvError)
  t.same(missing.map(d => d.expected).sort(), ['required key "name" is missing', 'required key "port" is missing'])
  t.notOk(validate({ name: 5, port: 1 }))
  t.same(usefulErrors(validate.errors ?? []).map(describeAjvError).map(d => d.expected), ['expected string'])

  const en = translator('en')
  const zh = translator('zh-CN')
  for (const d of [...described, ...missing]) {
    t.equal(renderText(en, d), d.expected, `${d.key}: the key renders the English text`)
    const chinese = renderText(zh, d)
    t.match(chinese, /[\u4e00-\u9fff]/, `${d.key}: Chinese`)
    t.same(latinSentences(chinese), [], `${d.key}: no English sentence in "${chinese}"`)
  }
  t.equal(renderText(zh, described.find(d => d.key === 'schema.problem.unknownKey')!), '未知的键“nmae”；此处允许：name、port、mode、kind、url、tags、env', 'the allowed keys in the Chinese list style')
})
