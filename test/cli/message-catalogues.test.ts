import t from 'tap'
import { MESSAGES_EN } from '../../src/i18n/messages-en.js'
import { MESSAGES_ZH_CN } from '../../src/i18n/messages-zh-CN.js'
import { alarmText, catalogue, describeProblem, negotiateLocale, placeholdersOf, problemReason, translator, type MessageKey } from '../../src/i18n/translate.js'
import { ALARM_KINDS } from '../../src/alarms/alarm-kinds.js'
import { latinSentences } from '../helpers/latin-sentences.js'

const CJK = /[\u4e00-\u9fff]/

t.test('the Chinese and English catalogues have the same keys and the same placeholders in every message', async t => {
  const en = Object.keys(MESSAGES_EN).sort()
  const zh = Object.keys(MESSAGES_ZH_CN).sort()
  t.same(zh, en, 'same keys')
  for (const key of en as MessageKey[]) {
    const a = MESSAGES_EN[key]
    const b = MESSAGES_ZH_CN[key]
    t.same(placeholdersOf(b).sort(), placeholdersOf(a).sort(), `${key}: same placeholders`)
    t.ok(a.trim().length > 0 && b.trim().length > 0, `${key}: not empty`)
    const onlyPlaceholders = a.replace(/\{\w+\}/g, '').replace(/[^A-Za-z]/g, '') === ''
    if (!onlyPlaceholders) t.match(b, CJK, `${key}: the Chinese text is Chinese`)
  }
})

t.test('every alarm kind the alarm module knows and every quarantine stage has a title and a description in both languages', async t => {
  t.ok(ALARM_KINDS.length >= 11, 'the kinds come from src/alarms/alarm-kinds.ts (findings and watchdogs)')
  for (const locale of ['zh-CN', 'en'] as const) {
    const messages = catalogue(locale) as Record<string, string>
    for (const kind of ALARM_KINDS) {
      t.ok(messages[`alarm.${kind}.title`], `${locale}: alarm ${kind} has a title`)
      t.ok(messages[`alarm.${kind}.description`], `${locale}: alarm ${kind} has a description`)
      t.not(alarmText(translator(locale), kind, {}).title, kind, `${locale}: alarm ${kind} is worded, not shown by its name`)
    }
    const worded = new Set(Object.keys(messages).flatMap(k => /^alarm\.([a-z_]+)\.title$/.exec(k)?.[1] ?? []))
    t.same([...worded].sort(), [...ALARM_KINDS].sort(), `${locale}: texts exist for exactly the alarm kinds there are (none left for a removed kind)`)
    for (const stage of ['parse', 'mapping', 'validation']) t.ok(messages[`quarantine.stage.${stage}`], `${locale}: quarantine stage ${stage} is worded`)
  }
  const zh = translator('zh-CN')
  t.same(alarmText(zh, 'missing_in_target', { agency: '沛县市场监督管理局', count: 17 }), {
    title: '平台缺少案件', description: '沛县市场监督管理局 有 17 件案件在执法机关系统中存在，但平台上没有（漏录）。',
  })
  t.same(alarmText(translator('en'), 'late_entry', { agency: 'a', count: 4, days: 7 }).description, '4 case(s) of a reached the platform more than 7 day(s) after the decision (late entry).')
  t.equal(alarmText(zh, 'some_future_kind', {}).title, 'some_future_kind', 'an unknown kind is shown by name')
})

t.test('quarantine reasons are worded by rule family in the chosen language, naming the fields', async t => {
  const zh = translator('zh-CN')
  const en = translator('en')
  const problem = { canonicalField: '/parties/0/idNumber', sourceField: 'DSR[0].ZJHM', rule: 'format:cn-resident-id', message: 'must be an 18-character resident ID number' }
  t.equal(describeProblem(zh, problem), '/parties/0/idNumber：格式不符合要求 (源字段 DSR[0].ZJHM)')
  t.equal(describeProblem(en, problem), '/parties/0/idNumber: not in the expected format (source field DSR[0].ZJHM)')
  t.equal(describeProblem(en, { canonicalField: '/x', rule: 'novel-rule', message: '' }), '/x: breaks rule novel-rule', 'an unknown rule still reads as a sentence')
  t.equal(describeProblem(zh, { canonicalField: '', rule: 'mapping-crashed', message: 'boom' }), '映射处理此记录时出错', 'a crash names no field')
  t.equal(describeProblem(en, { canonicalField: '', rule: 'parse', message: 'line 3: unclosed quote' }), 'the row could not be read', 'an unreadable row is worded, not "breaks rule parse" after an empty field')
  t.equal(problemReason(zh, problem), '格式不符合要求', 'the reason alone, for lines that name the field already')
  t.equal(problemReason(en, { rule: 'required' }), 'a required value is missing')
  t.equal(en('cli.sync.done', { agency: 'a' }), 'a: pull finished, {records} record(s) read in {seconds} s', 'a missing value leaves its placeholder visible')
})

t.test('Accept-Language picks a language we have, else the hub\'s', async t => {
  t.equal(negotiateLocale('en-US,en;q=0.9', 'zh-CN'), 'en')
  t.equal(negotiateLocale('zh-CN,zh;q=0.9', 'en'), 'zh-CN')
  t.equal(negotiateLocale('fr-FR', 'zh-CN'), 'zh-CN')
  t.equal(negotiateLocale(undefined, 'en'), 'en')
})

t.test('a "Latin sentence" is two or more English words outside code: the examples of issue 21 are caught, identifiers are not', async t => {
  t.same(latinSentences('说明：the source offers no full listing'), ['the source offers no full listing'])
  t.same(latinSentences('未找到（404）：no agency "nosuch"'), ['no agency'])
  t.same(latinSentences('缺少必填项：a value is required, but the source field is missing or empty'), ['value is required, but the source field is missing or empty'])
  t.same(latinSentences('name the agency with --agency; this hub has: a, b'), ['name the agency with', 'this hub has'])
  for (const fine of ['迟录 (late_entry)', '恢复：casebridge resume --agency market-regulation-peixian', '/parties/0/idNumber：格式不符合要求 [format:cn-resident-id]',
    '请设置 reconcile.agencyCode', '--lang zh-CN|en', '{agency} 的 HTTP 源', '参见 casebridge help mapping', 'mapping test 需要一个映射文件', '令牌 `demo-admin-token`', '<mapping.yaml> <sample-file>', '按 Ctrl-D', '12 秒', 'GET /api/agencies/nosuch/completeness']) {
    t.same(latinSentences(fine), [], `not a sentence: ${fine}`)
  }
})

t.test('every zh-CN text of the catalogue is Chinese: no Latin sentence in any of them', async t => {
  const offenders = Object.entries(MESSAGES_ZH_CN).flatMap(([key, text]) => latinSentences(text).map(s => `${key}: "${s}"`))
  t.same(offenders, [], 'no zh-CN message holds an English sentence')
})
