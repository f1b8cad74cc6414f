import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../helpers/run-cli.js'
import { tempDir } from '../helpers/temp-files.js'
import { sampleCase } from '../helpers/sample-case.js'

t.test('casebridge profile test prints the platform records, names what held cases lack, and exits 1 when one is held', async t => {
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
  t.match(stdout, /B-2: HELD\n\s+GXSJ ← \/sourceUpdatedAt/)
  t.match(stdout.trimEnd().split('\n').at(-1), '1 sendable, 1 held, 0 invalid')
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
  const { code, stderr } = await runCli(['profile', 'test', profile, cases])
  t.equal(code, 2)
  t.match(stderr, `${profile}:4:37: unknown output date format "ddMMyyyy"`)
})
