import type { tempDir } from './temp-files.js'

/**
 * A hub config file for tests that drive pulls themselves (`schedule: false`, every agency on
 * a schedule that never fires) and deliver to one platform simulator: Redis from
 * TEST_REDIS_URL, the platform token from the environment variable `tokenEnv`.
 */
export function writePullingHubConfig (files: ReturnType<typeof tempDir>, opts: { prefix: string; platformUrl: string; tokenEnv: string; agencies: readonly { id: string; mapping: string; source: Record<string, unknown> }[] }): string {
  return files.write('hub.yaml', JSON.stringify({
    redis: { url: { env: 'TEST_REDIS_URL' }, keyPrefix: opts.prefix, requirePersistence: false },
    admin: { host: '127.0.0.1', port: 0 },
    push: { batchSize: 100, backoff: { delayMs: 50, jitter: 0 } },
    targets: { platform: { kind: 'http-batch', baseUrl: opts.platformUrl, token: { env: opts.tokenEnv }, timeoutMs: 10000 } },
    agencies: opts.agencies.map(a => ({ ...a, target: 'platform', schedule: '0 0 0 1 1 *' })),
  }))
}
