import t from 'tap'
import { displayWidth, pad, renderTable, truncate } from '../../src/cli/table.js'
import { ProgressBar } from '../../src/cli/progress-bar.js'

t.test('Chinese characters count two columns, ASCII one, combining marks none', async t => {
  t.equal(displayWidth('abc'), 3)
  t.equal(displayWidth('沛县市场监督管理局'), 18)
  t.equal(displayWidth('（无）'), 6, 'full-width punctuation is wide')
  t.equal(displayWidth('é'), 1, 'e + combining acute is one column')
  t.equal(pad('机构', 6), '机构  ')
  t.equal(pad('12', 5, 'right'), '   12')
  t.equal(truncate('沛县市场监督管理局', 9), '沛县市场…', 'cut by columns, with an ellipsis')
  t.equal(displayWidth(truncate('沛县市场监督管理局', 9)), 9)
})

t.test('a table of mixed Chinese and ASCII lines its columns up by display width and right-aligns numbers', async t => {
  const rows = [{ id: 'market-regulation-peixian', name: '沛县市场监督管理局', n: 488 }, { id: 'urban', name: 'Urban management', n: 12 }]
  const text = renderTable([{ header: '机构', value: (r: typeof rows[number]) => r.id }, { header: '名称', value: r => r.name }, { header: '已推送', value: r => r.n }], rows)
  const lines = text.split('\n')
  t.equal(lines.length, 4, 'header, rule, two rows')
  const nameStarts = lines.filter((_, i) => i !== 1).map(l => displayWidth(l.slice(0, l.search(/沛县|Urban|名称/))))
  t.same(new Set(nameStarts).size, 1, `the name column starts at the same display column on every line (${nameStarts.join(', ')})`)
  const ends = lines.filter((_, i) => i !== 1).map(l => displayWidth(l))
  t.equal(new Set(ends).size, 1, 'right-aligned numbers end in the same column as their header')
  t.match(lines[3], / {2}12$/, 'a short number is padded on the left')
  t.notMatch(text, / \n/, 'no trailing spaces')
})

t.test('the progress line shows a bar when the total is known, always count and rate, and draws nothing off a terminal', async t => {
  const written: string[] = []
  const fake = { isTTY: false, write: (s: string) => { written.push(s); return true } } as unknown as NodeJS.WriteStream
  const bar = new ProgressBar(fake, 'reconcile', rate => `${rate}/s`)
  t.equal(bar.line(50, 100, 2000), `reconcile [${'█'.repeat(15)}${'░'.repeat(15)}] 50/100 50% · 25/s`)
  t.equal(bar.line(7, undefined, 2000), 'reconcile 7 · 3.5/s', 'unknown total: count and rate')
  bar.update(10, 100)
  bar.finish(100, 100)
  t.same(written, [], 'nothing is drawn when output is not a terminal')
  let now = 0
  const tty = { isTTY: true, write: (s: string) => { written.push(s); return true } } as unknown as NodeJS.WriteStream
  const live = new ProgressBar(tty, 'back-fill', rate => `${rate}/s`, () => now)
  now = 1000
  live.update(100)
  t.equal(written.at(-1), '\r\u001b[2Kback-fill 100 · 100/s', 'on a terminal the line is redrawn in place')
  live.finish(250)
  t.match(written.at(-1), /back-fill 250 · 250\/s\n$/, 'the final line stays')
})

t.test('a flexible column takes what the terminal width leaves, and is whole when there is no terminal', async t => {
  const reason = '/dates/decided：无法识别的日期 (源字段 cfjdrq)，该列应为毫秒而非秒的时间戳'
  const columns = [
    { header: 'Record', value: (r: { key: string; reason: string }) => r.key },
    { header: 'Reason', value: (r: { key: string; reason: string }) => r.reason, flex: true },
    { header: 'When', value: () => '2024-11-01 09:30:00 +08:00' },
  ]
  const rows = [{ key: 'A-1', reason }]
  const whole = renderTable(columns, rows)
  t.match(whole, reason, 'no width (a pipe): the reason is whole, however long')
  const narrow = renderTable(columns, rows, 60)
  for (const line of narrow.split('\n')) t.ok(displayWidth(line) <= 60, `fits 60 columns: ${line}`)
  t.match(narrow, /…/, 'the reason is cut to fit, with an ellipsis')
  const wide = renderTable(columns, rows, 200)
  t.match(wide, reason, 'a wide terminal shows it whole')
  const tiny = renderTable(columns, rows, 20)
  t.match(tiny.split('\n')[2], /A-1\s+\S{1,15}…/, 'a terminal too narrow still shows the start of the reason')
})
