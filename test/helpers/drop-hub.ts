import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { hashToken, type Role } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { Expected } from '../../fixtures/agencies/sample-kit.js'
import { TOKENS } from './operator-hub.js'
import { startWorld } from './world.js'
import { tempDir } from './temp-files.js'

export const DROP_AGENCY = 'urban-management-peixian'
export const DROP_FILE = 'cg-ajxx-20241101.csv'

/**
 * A hub whose one agency is a dir-drop folder (the urban-management CSV export, its mapping
 * and expected outcomes), with one admin token per role (TOKENS). `drop: false` leaves the
 * folder empty: nothing is pulled, so the agency code is unknown and the platform cannot be
 * reconciled.
 */
export async function startDropHub (t: Test, label: string, opts: { drop?: boolean } = {}): Promise<{ hub: Hub; expected: Expected }> {
  const world = await startWorld(t, label, { agency: { records: 0 } })
  const files = tempDir(t)
  const folder = join(files.dir, 'drop')
  mkdirSync(folder)
  const fixture = join(projectRoot, 'fixtures', 'agencies', 'urban-management')
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Expected
  if (opts.drop !== false) {
    copyFileSync(join(fixture, expected.sample), join(folder, DROP_FILE))
    writeFileSync(join(folder, `${DROP_FILE}.ok`), '')
  }
  const config = JSON.parse(readFileSync(world.writeConfig(), 'utf8')) as { agencies: Array<Record<string, unknown>>; admin: Record<string, unknown> }
  config.agencies = [{ ...config.agencies[0], id: DROP_AGENCY, mapping: join(projectRoot, expected.mapping), source: { kind: 'dir-drop', directory: folder, completion: 'marker' } }]
  config.admin = { ...config.admin, tokens: (Object.keys(TOKENS) as Role[]).map(role => ({ id: `${role}-1`, role, sha256: hashToken(TOKENS[role]) })) }
  const hub = await startHub({ config: await loadConfig(files.write('hub.yaml', JSON.stringify(config)), builtInRegistry(), world.env), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
  t.teardown(async () => await hub.close())
  return { hub, expected }
}
