import t from 'tap'
import { entryDeadlineMs } from '../../src/reconcile/time-rules.js'
import { severityOf } from '../../src/alarms/alarm-kinds.js'
import { FindingTally, SAMPLE_SIZE } from '../../src/reconcile/findings.js'

t.test('a decision is on time until the end of the N-th day after it, in its own offset', async t => {
  const deadline = entryDeadlineMs('2024-03-01T00:00:00+08:00', 7)
  t.equal(new Date(deadline).toISOString(), '2024-03-08T16:00:00.000Z', 'midnight ending 8 March in +08:00')
  t.equal(entryDeadlineMs('2024-03-01T15:30:00+08:00', 7), deadline, 'the time of day of the decision does not move it')
  t.equal(new Date(entryDeadlineMs('2024-03-01T00:00:00Z', 0)).toISOString(), '2024-03-02T00:00:00.000Z', 'deadline 0: the decision day itself')
  t.ok(Number.isNaN(entryDeadlineMs('2024-03-01', 7)), 'a date without a time and offset cannot be judged')
})

t.test('severity follows the thresholds of the kind', async t => {
  const thresholds = { warning: 5, critical: 20 }
  t.equal(severityOf(1, thresholds), 'info')
  t.equal(severityOf(5, thresholds), 'warning')
  t.equal(severityOf(19, thresholds), 'warning')
  t.equal(severityOf(20, thresholds), 'critical')
})

t.test('a tally keeps every count but only the first 20 case numbers', async t => {
  const tally = new FindingTally()
  for (let i = 0; i < 50; i++) tally.add('missing_in_target', `C-${i}`)
  const summary = tally.summary()
  t.equal(summary.missing_in_target.count, 50)
  t.equal(summary.missing_in_target.samples.length, SAMPLE_SIZE)
  t.equal(summary.missing_in_target.samples[0], 'C-0')
  t.equal(summary.orphan_in_target.count, 0, 'kinds not found are present with zero')
})
