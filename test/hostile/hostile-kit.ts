import type { Test } from 'tap'
import type { QuarantineEntry } from '../../src/ledger/entries.js'
import type { Outcome } from '../../fixtures/hostile/catalogue.js'
import type { PlatformSimulator } from '../../fixtures/platform-sim/index.js'
import type { LogEntry } from '../helpers/log-capture.js'
import { waitFor } from '../helpers/wait-for.js'

/** Own property names of the built-in prototypes, to prove afterwards that none was added to. */
export function prototypeSnapshot (): string {
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype].map(p => Object.getOwnPropertyNames(p).sort()))
}

/** Nothing reached a prototype: the built-ins are as they were and no object inherits "polluted". */
export function checkNoPollution (t: Test, before: string, delivered: readonly unknown[]): void {
  t.equal(prototypeSnapshot(), before, 'no built-in prototype gained or lost a property')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'a fresh object inherits nothing called "polluted"')
  t.equal(([] as unknown as Record<string, unknown>).polluted, undefined)
  t.notOk(JSON.stringify(delivered).includes('polluted'), 'no delivered case carries a "polluted" key or value')
}

/** Every case the platform holds for `agencyCode`, by case number. */
export async function platformCases (platform: PlatformSimulator, token: string, agencyCode: string): Promise<Map<string, Record<string, unknown>>> {
  const cases = new Map<string, Record<string, unknown>>()
  let pageToken: string | null = null
  do {
    const url = new URL('/api/v1/cases', platform.url)
    url.searchParams.set('agencyCode', agencyCode)
    url.searchParams.set('pageSize', '1000')
    if (pageToken !== null) url.searchParams.set('pageToken', pageToken)
    const page = await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json() as { items: { case: Record<string, unknown> }[]; nextPageToken: string | null }
    for (const item of page.items) cases.set(String(item.case.caseNumber), item.case)
    pageToken = page.nextPageToken
  } while (pageToken !== null)
  return cases
}

/** Wait until the platform holds every one of `caseNumbers`; returns what it holds. */
export async function waitDelivered (platform: PlatformSimulator, token: string, agencyCode: string, caseNumbers: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  let held = new Map<string, Record<string, unknown>>()
  await waitFor(`the platform to hold ${caseNumbers.join(', ')}`, async () => {
    held = await platformCases(platform, token, agencyCode)
    return caseNumbers.every(n => held.has(n))
  }, { timeoutMs: 60_000, intervalMs: 150, describe: () => `missing ${caseNumbers.filter(n => !held.has(n)).join(', ')}` })
  return held
}

/** The value at a JSON pointer ("/parties/0/name"). */
export function at (value: unknown, pointer: string): unknown {
  let here = value
  for (const key of pointer.split('/').slice(1)) here = (here as Record<string, unknown> | undefined)?.[key]
  return here
}

/** The quarantine entry of a case: by case number, or (parse stage without one) by file and line. */
export function findEntry (entries: readonly QuarantineEntry[], by: { caseNumber?: string; file?: string; line?: number; rule?: string }): QuarantineEntry | undefined {
  return entries.find(e =>
    (by.caseNumber === undefined || e.caseNumber === by.caseNumber) &&
    (by.file === undefined || (e.origin?.file === by.file && e.origin.line === by.line)) &&
    (by.rule === undefined || e.problems.some(p => p.rule === by.rule)))
}

/** The entry's problems hold the rule and field the outcome promises. */
export function checkQuarantined (t: Test, entry: QuarantineEntry | undefined, outcome: Extract<Outcome, { kind: 'quarantined' }>): void {
  t.ok(entry, `a quarantine entry (${outcome.stage} / ${outcome.rule})`)
  if (entry === undefined) return
  t.equal(entry.stage, outcome.stage, 'its stage')
  const problem = entry.problems.find(p => p.rule === outcome.rule)
  t.ok(problem, `a problem with rule ${outcome.rule} (found ${entry.problems.map(p => p.rule).join(', ')})`)
  if (outcome.field !== undefined) t.ok(problem?.canonicalField === outcome.field || problem?.sourceField === outcome.field, `naming ${outcome.field} (found ${problem?.canonicalField ?? '?'} / ${problem?.sourceField ?? '-'})`)
  t.ok(JSON.stringify(entry).length < 1024 * 1024, `the stored entry stays small (${JSON.stringify(entry).length} characters)`)
}

/** The pull failure the hub logged last, with its code and message. */
export function lastPullFailure (entries: readonly LogEntry[]): { code?: string; message: string } | undefined {
  const failure = entries.filter(e => e.msg.startsWith('pull failed')).at(-1)
  if (failure === undefined) return undefined
  const err = failure.err as { message?: string } | undefined
  return { ...(typeof failure.code === 'string' ? { code: failure.code } : {}), message: err?.message ?? '' }
}
