import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AdapterContext, AdapterState } from '../../src/contracts/adapter-registry.js'
import type { SourceAdapter, SourcePage } from '../../src/contracts/source-adapter.js'
import type { InputOptions } from '../../src/formats/input-options.js'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { silentLogger } from '../../src/logging/logger.js'
import { sftpSource } from '../../adapters/sftp-source.js'
import type { TestSshd } from '../helpers/sshd.js'

/** An sftp source config for the test server; `overrides` replace keys. */
export function sftpConfig (sshd: TestSshd, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: sshd.root, completion: 'marker', retries: 0, timeoutMs: 5000, ...overrides }
}

export function sourceFor (sshd: TestSshd, options: { state?: AdapterState; input?: InputOptions; name?: string; config?: Record<string, unknown> } = {}): SourceAdapter {
  const context: AdapterContext = { logger: silentLogger(), name: options.name ?? 'test-agency', input: () => options.input ?? { encoding: 'utf-8' }, state: options.state ?? memoryAdapterState() }
  return sftpSource.create(sftpConfig(sshd, options.config), context)
}

/** Every page of one pull. */
export async function pullAll (source: SourceAdapter): Promise<SourcePage[]> {
  const pages: SourcePage[] = []
  for await (const page of source.pull(null, new AbortController().signal)) pages.push(page)
  return pages
}

export const recordsOf = (pages: readonly SourcePage[]): Record<string, unknown>[] => pages.flatMap(p => [...p.records])

/** Names in a directory of the served tree ('' = the drop directory), hidden files included. */
export function namesIn (sshd: TestSshd, sub = ''): string[] {
  const dir = join(sshd.root, sub)
  return existsSync(dir) ? readdirSync(dir).sort() : []
}
