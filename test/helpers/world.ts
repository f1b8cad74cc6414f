import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAgencySimulator, type AgencySimulator, type AgencySimulatorOptions } from '../../fixtures/agency-sim/index.js'
import { startPlatformSimulator, type PlatformSimulator, type PlatformSimulatorOptions } from '../../fixtures/platform-sim/index.js'
import { projectRoot } from '../../src/paths.js'
import { LOCAL_REDIS, TEST_REDIS_URL, testPrefix, type TestRedis } from './redis.js'
import { tempDir } from './temp-files.js'

export const TEST_PLATFORM_TOKEN = 'test-platform-token'
export const DEMO_MAPPING = join(projectRoot, 'mappings', 'market-regulation-peixian.yaml')

export interface World {
  readonly agency: AgencySimulator
  readonly platform: PlatformSimulator
  readonly prefix: string
  /** The Redis the world's hubs use (the machine's one unless the test started its own). */
  readonly redis: TestRedis
  /** A hub config file for this world; `push` and `agency` override parts of it. */
  writeConfig (overrides?: { push?: Record<string, unknown>; pageSize?: number; schedule?: string; logLevel?: string; moreAgencies?: readonly MoreAgency[]; admin?: Record<string, unknown>; agency?: Record<string, unknown>; target?: Record<string, unknown> }): string
  /** A second agency system beside the first: its own simulator and a copy of the demo mapping under its own id and agency code. */
  addAgency (id: string, agencyCode: string, opts: AgencySimulatorOptions): Promise<MoreAgency & { readonly agency: AgencySimulator }>
  readonly env: NodeJS.ProcessEnv
}

/** Another agency of a {@link World}, for configs with several. */
export interface MoreAgency { readonly id: string; readonly mapping: string; readonly url: string }

/** The outside world of one test: an agency simulator, a platform simulator, a Redis prefix, a temp folder. */
export async function startWorld (t: { teardown: (fn: () => Promise<void> | void) => void }, label: string, opts: { agency?: AgencySimulatorOptions; platform?: Omit<PlatformSimulatorOptions, 'tokens'>; redis?: TestRedis } = {}): Promise<World> {
  const redis = opts.redis ?? LOCAL_REDIS
  const prefix = testPrefix(t as { teardown: (fn: () => Promise<void>) => void }, label, redis)
  const agency = await startAgencySimulator({ port: 0, ...opts.agency })
  t.teardown(async () => await agency.close())
  const platform = await startPlatformSimulator({ port: 0, tokens: [TEST_PLATFORM_TOKEN], ...opts.platform })
  t.teardown(async () => await platform.close())
  const files = tempDir(t as { teardown: (fn: () => void) => void })
  return {
    agency, platform, prefix, redis,
    env: { ...process.env, TEST_PLATFORM_TOKEN, TEST_REDIS_URL },
    writeConfig (overrides = {}) {
      const push = { batchSize: 100, concurrency: 4, attempts: 20, backoff: { delayMs: 100, jitter: 0.5 }, jobTimeoutMs: 10000, lockDurationMs: 2000, ...overrides.push }
      const text = JSON.stringify({
        hub: { name: `test-${label}` },
        redis: { ...redis.section, keyPrefix: prefix, requirePersistence: false },
        admin: { host: '127.0.0.1', port: 0, ...overrides.admin },
        logging: { level: overrides.logLevel ?? 'warn' },
        push,
        targets: { platform: overrides.target ?? { kind: 'http-batch', baseUrl: platform.url, token: { env: 'TEST_PLATFORM_TOKEN' }, timeoutMs: 5000 } },
        agencies: [{
          id: 'market-regulation-peixian',
          mapping: DEMO_MAPPING,
          schedule: overrides.schedule ?? '*/1 * * * * *',
          target: 'platform',
          source: { kind: 'http-pull', baseUrl: agency.url, pageSize: overrides.pageSize ?? 200, timeoutMs: 5000 },
          ...overrides.agency,
        }, ...(overrides.moreAgencies ?? []).map(more => ({
          id: more.id,
          mapping: more.mapping,
          schedule: overrides.schedule ?? '*/1 * * * * *',
          target: 'platform',
          source: { kind: 'http-pull', baseUrl: more.url, pageSize: overrides.pageSize ?? 200, timeoutMs: 5000 },
        }))],
      }, null, 2)
      return files.write(`hub-${Math.random().toString(36).slice(2)}.yaml`, text) // JSON is YAML
    },
    async addAgency (id, agencyCode, agencyOpts) {
      const more = await startAgencySimulator({ port: 0, ...agencyOpts })
      t.teardown(async () => await more.close())
      const mapping = readFileSync(DEMO_MAPPING, 'utf8')
        .replace(/^agency: .*$/m, `agency: ${id}`)
        .replace(/^( {2}\/agency\/code: ).*$/m, `$1"${agencyCode}"`)
      return { id, mapping: files.write(`${id}.yaml`, mapping), url: more.url, agency: more }
    },
  }
}

export { TEST_REDIS_URL }
