import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { builtInRegistry } from '../../adapters/index.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { startSimulators, stopSimulators, TOKEN, validCount, hubConfig } from './e2e-sim-process.js'

const dir = mkdtempSync(join(tmpdir(), 'cbprof-'))
const sims = await startSimulators(dir, 4, 15000)
const prefix = `cbprof-${process.pid}`
await deleteKeys(prefix)
const config = await loadConfig(hubConfig(dir, prefix, sims.agencies, sims.platformUrl, 500, { url: TEST_REDIS_URL }), builtInRegistry(), { ...process.env, BENCH_PLATFORM_TOKEN: TOKEN })
const expected = validCount(sims.agencies)
let n = 0
let done: () => void = () => {}
const finished = new Promise<void>(r => { done = r })
const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start')
const started = Date.now()
const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger(), onAcknowledged: (_a, items) => { n += items.length; if (n >= expected) done() } })
await finished
const secs = (Date.now() - started) / 1000
const { profile } = await session.post('Profiler.stop')
writeFileSync('/tmp/hub.cpuprofile', JSON.stringify(profile))
console.log(`hub: ${expected} in ${secs}s = ${Math.round(expected / secs)}/s`)
await hub.close(); await deleteKeys(prefix); await stopSimulators(sims)
