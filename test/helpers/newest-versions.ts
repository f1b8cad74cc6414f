/**
 * "Does the platform hold each case's newest version?", answered from outside the hub: the
 * agency simulator's current records, read through its API and mapped with the agency's
 * mapping, against what the platform simulator lists — fingerprint by fingerprint.
 */
import { readFileSync } from 'node:fs'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import { mapRecords, type ValidCase } from '../../src/pipeline/map-records.js'
import type { TargetProjection } from '../../src/contracts/projection.js'
import { fingerprint } from '../../src/contracts/fingerprint.js'
import type { RawRecord } from '../../src/contracts/source-adapter.js'
import type { StoredCase } from '../../fixtures/platform-sim/index.js'

/** The fingerprint of every valid case the agency holds now, by case number. */
export async function sourceVersions (agencyUrl: string, mappingFile: string): Promise<Map<string, string>> {
  return new Map([...(await sourceCases(agencyUrl, mappingFile)).values()].map(c => [c.caseNumber, c.fingerprint]))
}

/**
 * What a profiled platform should hold of the agency's valid cases now: the fingerprint of
 * each case's projection through the target's profile, by case number, and the case
 * numbers the profile holds back (a field the platform requires is missing).
 */
export async function projectedSourceVersions (agencyUrl: string, mappingFile: string, projection: TargetProjection): Promise<{ versions: Map<string, string>; held: string[] }> {
  const versions = new Map<string, string>()
  const held: string[] = []
  for (const c of (await sourceCases(agencyUrl, mappingFile)).values()) {
    const p = projection.project(c.case)
    if (p.kind === 'held') held.push(c.caseNumber)
    else versions.set(c.caseNumber, p.fingerprint)
  }
  return { versions, held }
}

async function sourceCases (agencyUrl: string, mappingFile: string): Promise<Map<string, ValidCase>> {
  const mapping = compileMapping(readFileSync(mappingFile, 'utf8'), mappingFile)
  const records: RawRecord[] = []
  let token: string | null = null
  do {
    const url = new URL('/api/cases', agencyUrl)
    url.searchParams.set('pageSize', '500')
    if (token !== null) url.searchParams.set('pageToken', token)
    const res = await fetch(url)
    if (!res.ok) throw new Error(`GET ${url.toString()}: HTTP ${res.status}`)
    const body = await res.json() as { data: { list: RawRecord[]; nextPageToken: string | null } }
    records.push(...body.data.list)
    token = body.data.nextPageToken
  } while (token !== null)
  return mapRecords('newest-versions', mapping, records).valid
}

/** Every case the platform holds for the agency, by case number. */
export async function platformCases (platformUrl: string, token: string, agencyCode: string): Promise<Map<string, StoredCase['case']>> {
  const out = new Map<string, StoredCase['case']>()
  let pageToken: string | null = null
  do {
    const url = new URL('/api/v1/cases', platformUrl)
    url.searchParams.set('agencyCode', agencyCode)
    url.searchParams.set('pageSize', '1000')
    if (pageToken !== null) url.searchParams.set('pageToken', pageToken)
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`GET ${url.toString()}: HTTP ${res.status}`)
    const page = await res.json() as { items: StoredCase[]; nextPageToken: string | null }
    for (const item of page.items) out.set(item.case.caseNumber, item.case)
    pageToken = page.nextPageToken
  } while (pageToken !== null)
  return out
}

/** The fingerprint of every case the platform holds for the agency, by case number. */
export async function platformVersions (platformUrl: string, token: string, agencyCode: string): Promise<Map<string, string>> {
  return new Map([...await platformCases(platformUrl, token, agencyCode)].map(([n, c]) => [n, fingerprint(c)]))
}

/** Case numbers whose platform version is not the source's current one (missing, older or foreign), and cases the platform holds that the source has not. */
export function versionDrift (source: ReadonlyMap<string, string>, platform: ReadonlyMap<string, string>): { notNewest: string[]; extra: string[] } {
  const notNewest = [...source].filter(([cn, fp]) => platform.get(cn) !== fp).map(([cn]) => cn)
  const extra = [...platform.keys()].filter(cn => !source.has(cn))
  return { notNewest, extra }
}
