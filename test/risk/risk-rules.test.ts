/**
 * The transfer-risk rules file: the shipped examples load (each marked as an example), and
 * every problem an operator can make names `file:line:column` — structure (schema), money,
 * duplicate ids, time limits that cannot work, YAML syntax — in English and in Chinese.
 */
import t from 'tap'
import { join } from 'node:path'
import { compileRiskRules, loadRiskRules, moneyToFen } from '../../src/risk/risk-rules.js'
import { MappingFileError, YamlSyntaxError } from '../../src/errors.js'
import { describeMappingFileError } from '../../src/mapping/describe-mapping-error.js'
import { translator } from '../../src/i18n/translate.js'
import { projectRoot } from '../../src/paths.js'

const FILE = '/rules/transfer-risk.yaml'

const GOOD = `nearShare: 0.8
thresholds:
  - id: fake-goods
    causeContains: [伪劣]
    amount: involved
    threshold: "50000.00"
    citation: 例
timeLimits:
  - id: decide
    procedure: general
    from: dates.filed
    to: dates.decided
    days: 90
    warnDays: 10
`

t.test('the shipped example rules load, every entry marked as an example, defaults from the schema', async t => {
  const rules = await loadRiskRules(join(projectRoot, 'mappings', 'transfer-risk.yaml'))
  t.ok(rules.thresholds.length >= 3, 'several threshold examples')
  t.ok(rules.timeLimits.length >= 2, 'time limit examples')
  t.ok([...rules.thresholds, ...rules.timeLimits].every(r => r.example), 'every shipped entry says example: true')
  t.ok(rules.thresholds.every(r => r.citation.length > 0), 'every threshold has its citation')
  t.equal(rules.repeatWindowDays, 365, 'the repeat-party window')
  const bare = compileRiskRules('thresholds: []\n', FILE)
  t.equal(bare.nearShare, 0.8, 'nearShare defaults to 0.8 (schema default)')
  t.equal(bare.repeatWindowDays, 365, 'repeatParty.windowDays defaults to 365')
  t.equal(compileRiskRules(GOOD, FILE).thresholds[0]?.thresholdFen, 5_000_000n, 'thresholds compare in fen, exactly')
  t.equal(moneyToFen('0.07'), 7n)
})

/** The error compiling `text` raises: its class and message. */
function refusal (text: string): MappingFileError | YamlSyntaxError {
  try {
    compileRiskRules(text, FILE)
  } catch (err) {
    if (err instanceof MappingFileError || err instanceof YamlSyntaxError) return err
    throw err
  }
  throw new Error('compiled, but a refusal was expected')
}

t.test('every problem names file:line:column', async t => {
  const cases: Array<{ what: string; text: string; at: string; says: RegExp }> = [
    { what: 'an unknown key', text: GOOD.replace('    amount: involved', '    amout: involved'), at: `${FILE}:5:5`, says: /amout/ },
    { what: 'a threshold written as a number', text: GOOD.replace('"50000.00"', '50000'), at: `${FILE}:6:16`, says: /threshold/ },
    { what: 'a threshold with one decimal', text: GOOD.replace('"50000.00"', '"50000.0"'), at: `${FILE}:6:16`, says: /threshold/ },
    { what: 'an unknown amount', text: GOOD.replace('amount: involved', 'amount: sales'), at: `${FILE}:5:13`, says: /involved/ },
    { what: 'a missing citation', text: GOOD.replace('    citation: 例\n', ''), at: `${FILE}:3:5`, says: /citation/ },
    { what: 'an unknown milestone', text: GOOD.replace('to: dates.decided', 'to: dates.decision'), at: `${FILE}:12:9`, says: /dates\.decided/ },
    { what: 'a duplicate id', text: GOOD + GOOD.split('timeLimits:\n')[1], at: `${FILE}:15:9`, says: /decide/ },
    { what: 'from and to the same', text: GOOD.replace('to: dates.decided', 'to: dates.filed'), at: `${FILE}:12:9`, says: /same milestone/ },
    { what: 'a warning longer than the limit', text: GOOD.replace('warnDays: 10', 'warnDays: 90'), at: `${FILE}:14:15`, says: /warnDays/ },
    { what: 'broken YAML', text: GOOD.replace('  - id: decide', '  - id: [decide'), at: `${FILE}:`, says: /YAML/ },
  ]
  for (const c of cases) {
    const err = refusal(c.text)
    t.ok(err.message.startsWith(c.at), `${c.what}: ${err.message}`)
    t.match(err.message, c.says, `${c.what}: says what is wrong`)
    t.match(err.message, /^\/rules\/transfer-risk\.yaml:\d+:\d+: /, `${c.what}: file:line:column`)
  }
  const zh = refusal(GOOD.replace('to: dates.decided', 'to: dates.filed'))
  t.ok(zh instanceof MappingFileError)
  t.match(describeMappingFileError(zh as MappingFileError, translator('zh-CN')), new RegExp(`^${FILE}:12:9: from 与 to 是同一个节点`), 'worded in Chinese, position kept')
})
