import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { ConfigError } from '../../src/errors.js'
import { builtInRegistry } from '../../adapters/index.js'
import { tempDir } from '../helpers/temp-files.js'

const hubConfig = (extra: { feedback?: Record<string, unknown>; agencyFeedback?: Record<string, unknown> }): string => JSON.stringify({
  redis: { requirePersistence: false },
  targets: { platform: { kind: 'http-batch', baseUrl: 'http://127.0.0.1:1', token: { env: 'PLATFORM_TOKEN' } } },
  ...(extra.feedback === undefined ? {} : { feedback: extra.feedback }),
  agencies: [{ id: 'agency-a', mapping: 'mappings/market-regulation-peixian.yaml', target: 'platform', source: { kind: 'http-pull', baseUrl: 'http://127.0.0.1:2' }, ...(extra.agencyFeedback === undefined ? {} : { feedback: extra.agencyFeedback }) }],
})

async function problems (t: Parameters<typeof tempDir>[0], text: string): Promise<readonly string[]> {
  try {
    await loadConfig(tempDir(t).write('hub.yaml', text), builtInRegistry(), { PLATFORM_TOKEN: 'x' })
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

t.test('a feedback writer section is checked by its writer\'s schema, and the feedback keys get their defaults', async t => {
  const config = await loadConfig(tempDir(t).write('hub.yaml', hubConfig({ agencyFeedback: { writer: { kind: 'table', dialect: 'postgres', database: 'zfpt', user: 'cb' } } })), builtInRegistry(), { PLATFORM_TOKEN: 'x' })
  t.match(config.feedback, { schedule: '*/30 * * * * *', pageSize: 200, concurrency: 4, retryForSeconds: 86400, backoff: { delayMs: 1000, maxDelayMs: 300000, jitter: 0.2 }, lockDurationMs: 30000, reconcile: { schedule: '0 */15 * * * *', minAgeSeconds: 600 } })
  t.match(config.agencies[0]?.feedback, { writer: { kind: 'table', dialect: 'postgres' } })
  t.match(config.alarms.severity.feedback_pending, { warning: 1, critical: 100 })
  const unknown = await problems(t, hubConfig({ agencyFeedback: { writer: { kind: 'fax' } } }))
  t.ok(unknown.some(p => /feedback.*writer.*kind/.test(p) && /http/.test(p) && /table/.test(p) && /file/.test(p)), `an unknown writer kind names the known ones (${unknown.join(' | ')})`)
  const bad = await problems(t, hubConfig({ agencyFeedback: { writer: { kind: 'file', directory: 'relative/dir' } } }))
  t.ok(bad.some(p => /directory/.test(p)), `the file writer wants an absolute directory (${bad.join(' | ')})`)
  const schedule = await problems(t, hubConfig({ feedback: { schedule: 'every 10ms' } }))
  t.ok(schedule.some(p => /feedback.*schedule/.test(p)), `a feedback schedule below 100 ms is refused (${schedule.join(' | ')})`)
})
