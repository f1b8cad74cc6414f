import t from 'tap'
import { existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { PartitionSpool } from '../../src/reconcile/partition-spool.js'

const ours = (): string[] => readdirSync(tmpdir()).filter(n => n.startsWith('casebridge-reconcile-spooltest-'))

t.test('a spool past its memory limit spills to disk and reads every line back in order, then removes its files', async t => {
  const before = new Set(ours())
  const spool = new PartitionSpool(16, 4096, 'spooltest')
  const expected: string[][] = Array.from({ length: 16 }, () => [])
  for (let i = 0; i < 2000; i++) {
    const line = JSON.stringify([`案件-${i}`, `fp-${i}`, i, i % 16])
    expected[i % 16]!.push(line)
    await spool.add(i % 16, line)
  }
  const created = ours().filter(n => !before.has(n))
  t.equal(created.length, 1, 'lines went to a private temporary folder')
  for (let p = 0; p < 16; p++) t.same(await spool.read(p), expected[p], `partition ${p}: every line, in order`)
  t.equal(spool.lines, 2000, 'counted')
  await spool.close()
  t.notOk(existsSync(`${tmpdir()}/${created[0]}`), 'the folder is gone after close')
})

t.test('a small spool stays in memory', async t => {
  const before = new Set(ours())
  const spool = new PartitionSpool(4, 1024 * 1024, 'spooltest')
  await spool.add(2, 'one')
  await spool.add(2, 'two')
  t.same(await spool.read(2), ['one', 'two'])
  t.same(await spool.read(1), [], 'an empty partition reads empty')
  t.same(ours().filter(n => !before.has(n)), [], 'no files')
  await spool.close()
})
