import { readFileSync, writeFileSync } from 'node:fs'
import type { Test } from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub, type Hub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { hashToken, type Role } from '../../src/admin/auth/tokens.js'
import { builtInRegistry } from '../../adapters/index.js'
import type { AgencySimulatorOptions } from '../../fixtures/agency-sim/index.js'
import type { PlatformSimulatorOptions } from '../../fixtures/platform-sim/index.js'
import { startWorld, type World } from './world.js'

export const AGENCY = 'market-regulation-peixian'

/** One token per role, as the operator tests present them (the config holds only their hashes). */
export const TOKENS: Readonly<Record<Role, string>> = {
  viewer: 'viewer-token-8c1f0a7d2e',
  operator: 'operator-token-51b9e3c4a0',
  admin: 'admin-token-d27e6f9b13',
}

export interface OperatorHub {
  readonly world: World
  readonly hub: Hub
  /** Call the admin API as `role` (no token when undefined). */
  call (path: string, opts?: { role?: Role | undefined; token?: string; method?: string; body?: unknown }): Promise<{ status: number; body: unknown; headers: Headers }>
}

/**
 * A world (simulators + Redis prefix) and an in-process hub whose config has one admin
 * token per role; `adminOverrides` is merged into the `admin` section.
 */
export async function startOperatorHub (t: Test, label: string, opts: { agency?: AgencySimulatorOptions; platform?: Omit<PlatformSimulatorOptions, 'tokens'>; push?: Record<string, unknown>; schedule?: boolean; adminOverrides?: Record<string, unknown>; hub?: Record<string, unknown> } = {}): Promise<OperatorHub> {
  const world = await startWorld(t, label, { agency: { records: 60, seed: 5, ...opts.agency }, ...(opts.platform === undefined ? {} : { platform: opts.platform }) })
  const file = world.writeConfig(opts.push === undefined ? {} : { push: opts.push })
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>
  doc.admin = {
    ...doc.admin,
    tokens: (Object.keys(TOKENS) as Role[]).map(role => ({ id: `${role}-1`, role, sha256: hashToken(TOKENS[role]) })),
    ...opts.adminOverrides,
  }
  doc.hub = { ...doc.hub, ...opts.hub }
  writeFileSync(file, JSON.stringify(doc, null, 2))
  const config = await loadConfig(file, builtInRegistry(), world.env)
  const hub = await startHub({ config, registry: builtInRegistry(), logger: silentLogger(), schedule: opts.schedule ?? false })
  t.teardown(async () => await hub.close())
  return {
    world, hub,
    async call (path, o = {}) {
      const token = o.token ?? (o.role === undefined ? undefined : TOKENS[o.role])
      const headers: Record<string, string> = {}
      if (token !== undefined) headers.authorization = `Bearer ${token}`
      if (o.body !== undefined) headers['content-type'] = 'application/json'
      const res = await fetch(`${hub.adminUrl}${path}`, { method: o.method ?? 'GET', headers, ...(o.body === undefined ? {} : { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }) })
      const text = await res.text()
      let body: unknown = text
      try { body = JSON.parse(text) } catch { /* not JSON: keep the text */ }
      return { status: res.status, body, headers: res.headers }
    },
  }
}
