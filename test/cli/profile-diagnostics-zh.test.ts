/**
 * A refused target profile file, and a configuration `run` refuses, worded in the operator's
 * language: each broken copy of mappings/profiles/province.yaml gives, through `casebridge
 * profile test`, Chinese with no English sentence in zh-CN and, in English, exactly the
 * message the loader raises (what logs and the API keep). Runs the CLI as a child process.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { compileProfileText } from '../../src/profile/load-profile.js'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { latinSentences } from '../helpers/latin-sentences.js'

const PROFILE = readFileSync(join(projectRoot, 'mappings', 'profiles', 'province.yaml'), 'utf8')
const SECRETS = { PROVINCE_APP_KEY: 'k', PROVINCE_APP_SECRET: 's' }

/** One broken copy per kind of profile problem: the text replaced, and what the English message must say. */
const BROKEN: ReadonlyArray<{ name: string; from: string; to: string; english: RegExp }> = [
  { name: 'an unknown output money unit', from: '/FKJE:   { from: /amounts/fine, money: fen }', to: '/FKJE:   { from: /amounts/fine, money: li }', english: /unknown output money unit "li"/ },
  { name: 'an unknown output date format', from: '/JASJ:   { from: /dates/closed, date: yyyyMMddHHmmss }', to: '/JASJ:   { from: /dates/closed, date: ddMMyyyy }', english: /unknown output date format "ddMMyyyy"/ },
  { name: 'two converters in one rule', from: '/FKJE:   { from: /amounts/fine, money: fen }', to: '/FKJE:   { from: /amounts/fine, money: fen, date: yyyyMMddHHmmss }', english: /use only one of .* in one rule/ },
  { name: 'a required field with a default', from: '/FDDBR: { from: /legalRepresentative }', to: '/FDDBR: { from: /legalRepresentative, required: true, default: "-" }', english: /required and default contradict each other/ },
  { name: 'an alternative without when before the last', from: "          - { when: { field: /kind, equals: person }, from: /idNumber }\n          - { from: /creditCode }", to: "          - { from: /idNumber }\n          - { from: /creditCode }", english: /only the last alternative may go without when/ },
  { name: 'a table default that is never used', from: "    codes: { general: \"1\", summary: \"2\" }\n    unknown: hold", to: "    codes: { general: \"1\", summary: \"2\" }\n    unknown: hold\n    default: \"1\"", english: /has a default: but says unknown: hold/ },
  { name: 'an unknown signature algorithm', from: 'algorithm: HMAC-SHA256', to: 'algorithm: HMAC-MD4', english: /unknown signature algorithm "HMAC-MD4"/ },
  { name: 'a signature without its secret', from: '  secret: { env: PROVINCE_APP_SECRET }\n', to: '', english: /auth kind signature needs appKey: and secret:/ },
  { name: 'a key the schema does not know', from: 'envelope:\n  format: json', to: 'envelope:\n  format: json\n  colour: blue', english: /colour/ },
]

for (const b of BROKEN) {
  t.test(`profile test, ${b.name}: Chinese in zh-CN, the loader's English message in English`, async t => {
    t.ok(PROFILE.includes(b.from), 'the text to break is in the profile')
    const files = tempDir(t)
    const text = PROFILE.replace(b.from, b.to)
    const file = files.write('profile.yaml', text)
    const sample = files.write('cases.json', '[]')
    let message = ''
    try {
      compileProfileText(text, file, { env: SECRETS })
    } catch (err) {
      message = (err as Error).message
    }
    t.match(message, b.english, `the loader refuses it: ${message}`)
    const zh = await runCli(['profile', 'test', file, sample, '--lang', 'zh-CN'], { env: SECRETS })
    t.equal(zh.code, 2, 'a refused profile is exit 2')
    t.match(zh.stderr, /profile\.yaml:\d+:\d+: /, 'naming file, line and column')
    t.same(latinSentences(zh.stderr), [], `no English sentence in zh-CN: ${zh.stderr}`)
    const en = await runCli(['profile', 'test', file, sample, '--lang', 'en'], { env: SECRETS })
    t.equal(en.stderr, `casebridge: ${message}\n`, 'in English, the loader\'s own message')
  })
}

t.test('run with a refused configuration: its problems in the operator\'s language, the file named', async t => {
  const files = tempDir(t)
  const file = files.write('hub.yaml', JSON.stringify({ hub: { name: 'x', bogus: 1 }, targets: {}, agencies: [] }))
  const zh = await runCli(['run', '--config', file, '--lang', 'zh-CN'])
  t.equal(zh.code, 2)
  t.match(zh.stderr, `${file} 无效`, 'the file is named')
  t.match(zh.stderr, 'hub.bogus', 'and the problem\'s path')
  t.same(latinSentences(zh.stderr), [], `no English sentence in zh-CN: ${zh.stderr}`)
  const en = await runCli(['run', '--config', file, '--lang', 'en'])
  t.match(en.stderr, /^casebridge: Invalid configuration in .*hub\.yaml:\n {2}1:\d+ hub\.bogus: unknown key "bogus"/)
})
