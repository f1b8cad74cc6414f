import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { sampleCase } from '../helpers/sample-case.js'
import { latinSentences } from '../helpers/latin-sentences.js'

t.test('casebridge profile test prints the platform records, names what held cases lack (in the operator\'s language), and exits 1 when one is held', async t => {
  const { dir } = tempDir(t)
  const good = sampleCase()
  const held = sampleCase({ caseNumber: 'B-2' })
  delete held.sourceUpdatedAt
  const file = join(dir, 'cases.json')
  writeFileSync(file, JSON.stringify([good, held]))
  const { code, stdout } = await runCli(['profile', 'test', 'mappings/profiles/province.yaml', file])
  t.equal(code, 1)
  t.match(stdout, '"AJBH": "沛市监罚〔2024〕12号"')
  t.match(stdout, '"FKJE": 435')
  t.notOk(stdout.includes('11010519491231002X'), 'ID numbers are masked')
  t.match(stdout, /B-2：扣留\n\s+GXSJ ← \/sourceUpdatedAt\n\s+目标平台要求以上字段/, 'zh-CN by default')
  t.match(stdout.trimEnd().split('\n').at(-1), '1 件可推送，1 件扣留，0 件无效')
  t.same(latinSentences(stdout.replace(/^ {4}\s*[{}"\]].*$/gm, '')), [], 'no English sentence around the platform records (the records are the platform\'s data)')
  const english = await runCli(['profile', 'test', 'mappings/profiles/province.yaml', file, '--lang', 'en'])
  t.match(english.stdout, /B-2: HELD\n\s+GXSJ ← \/sourceUpdatedAt\n\s+\S+: the platform requires GXSJ/, '--lang en: the profile\'s own reason')
  t.match(english.stdout.trimEnd().split('\n').at(-1), '1 sendable, 1 held, 0 invalid')
  writeFileSync(file, JSON.stringify(good))
  const one = await runCli(['profile', 'test', 'mappings/profiles/province.yaml', file, '--json'])
  t.equal(one.code, 0, 'exit 0 when every case can be sent')
  const report = JSON.parse(one.stdout) as { sent: number; cases: Array<{ outcome: string }> }
  t.equal(report.sent, 1)
})

t.test('casebridge profile test exits 2 on a broken profile, naming file:line:column', async t => {
  const { dir } = tempDir(t)
  const profile = join(dir, 'p.yaml')
  writeFileSync(profile, 'name: p\nversion: "1"\nrecord:\n  /AJBH: { from: /caseNumber, date: ddMMyyyy }\n')
  const cases = join(dir, 'c.json')
  writeFileSync(cases, JSON.stringify(sampleCase()))
  const { code, stderr } = await runCli(['profile', 'test', profile, cases, '--lang', 'en'])
  t.equal(code, 2)
  t.match(stderr, `${profile}:4:37: unknown output date format "ddMMyyyy"`)
  const zh = await runCli(['profile', 'test', profile, cases])
  t.equal(zh.code, 2)
  t.match(zh.stderr, `${profile}:4:37: 未知的输出日期格式“ddMMyyyy”`, 'in zh-CN by default')
})
