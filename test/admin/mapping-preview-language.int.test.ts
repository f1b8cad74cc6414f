/**
 * Issue 21: a mapping text refused by POST /api/mappings/preview keeps its English message
 * (as every API error) and carries the reason in the caller's language (Accept-Language,
 * else the hub's `hub.locale`), position first.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { DEMO_MAPPING } from '../helpers/world.js'
import { latinSentences } from '../helpers/latin-sentences.js'

interface Refusal { statusCode: number; error: string; message: string; reason: string }

t.test('a refused mapping text is worded in the caller\'s language, the English message beside it', async t => {
  const h = await startOperatorHub(t, 'preview-lang')
  const broken = readFileSync(DEMO_MAPPING, 'utf8').replace(/date: yyyyMMdd, required: true }/g, 'date: dd.MM.yyyy, required: true }')
  t.not(broken, readFileSync(DEMO_MAPPING, 'utf8'), 'the demo mapping has a date rule to break')
  const preview = async (language: string | undefined): Promise<{ status: number; body: Refusal }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKENS.operator}`, 'content-type': 'application/json' }
    if (language !== undefined) headers['accept-language'] = language
    const res = await fetch(`${h.hub.adminUrl}/api/mappings/preview`, { method: 'POST', headers, body: JSON.stringify({ agency: AGENCY, fileName: 'export.ndjson', sample: '{}\n', mapping: broken }) })
    return { status: res.status, body: await res.json() as Refusal }
  }
  const zh = await preview('zh-CN,zh;q=0.9')
  t.equal(zh.status, 422)
  t.match(zh.body.message, /:\d+:\d+: unknown date format "dd\.MM\.yyyy" \(allowed: yyyyMMdd, /, 'the message stays English')
  t.match(zh.body.reason, /:\d+:\d+: 未知的日期格式“dd\.MM\.yyyy”（允许：yyyyMMdd、/, 'the reason is Chinese, position first')
  t.same(latinSentences(zh.body.reason.replace(/^\S+:\d+:\d+: /, '')), [], 'no English sentence in the Chinese reason')
  const en = await preview('en-US,en;q=0.8')
  t.equal(en.body.reason, en.body.message, 'in English the reason is the message')
  const hubs = await preview(undefined)
  t.equal(hubs.body.reason, zh.body.reason, 'without Accept-Language, the hub\'s language (zh-CN by default)')
})
