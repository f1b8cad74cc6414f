import type { Test } from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TargetAdapter, PushBatch } from '../../src/contracts/target-adapter.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { CaseBridgeError } from '../../src/errors.js'
import { projectRoot } from '../../src/paths.js'

/** What the target conformance suite needs to know about one adapter kind. */
export interface TargetUnderTest {
  create (): TargetAdapter
  /** A target whose platform cannot be reached. */
  createUnreachable (): TargetAdapter
  /** Every case number the platform received for the agency, once per stored copy. */
  stored (agencyCode: string): Promise<string[]>
}

/** Valid canonical cases of one agency, numbered from `from`, built from the valid fixtures. */
export function sampleCases (agencyCode: string, count: number, from = 1, tag = 'CONF'): CanonicalCase[] {
  const dir = join(projectRoot, 'fixtures/cases/valid')
  const templates = readdirSync(dir).filter(f => f.endsWith('.json')).map(f => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CanonicalCase)
  return Array.from({ length: count }, (_, i) => {
    const template = templates[i % templates.length] as CanonicalCase
    return { ...structuredClone(template), agency: { ...template.agency, code: agencyCode }, caseNumber: `${tag}-${agencyCode.slice(-4)}-${String(from + i).padStart(6, '0')}` }
  })
}

/** The contract every target adapter keeps (src/contracts/target-adapter.ts), against a real platform. */
export async function targetConformance (t: Test, kind: string, subject: TargetUnderTest, agencyCode = '11320322014170932K'): Promise<void> {
  const signal = new AbortController().signal
  const cases = sampleCases(agencyCode, 25, 1, kind.toUpperCase().replace(/[^A-Z]/g, ''))
  const batch: PushBatch = { agencyCode, idempotencyKey: `${kind}-conformance-1`, cases, sequences: cases.map((_, i) => i + 1) }

  await t.test(`${kind}: a pushed batch gets one result per case, matched by case number`, async t => {
    const target = subject.create()
    const results = await target.push(batch, signal)
    await target.close()
    t.same(results.map(r => r.caseNumber).sort(), batch.cases.map(c => c.caseNumber).sort(), 'one result per case')
    t.ok(results.every(r => r.status === 'accepted'), 'valid cases are accepted')
    const stored = await subject.stored(agencyCode)
    t.same(batch.cases.map(c => c.caseNumber).filter(n => !stored.includes(n)), [], 'the platform holds every case')
  })

  await t.test(`${kind}: pushing the same batch again (a retry, a replay) stores nothing twice`, async t => {
    const target = subject.create()
    const again = await target.push(batch, signal)
    await target.close()
    t.equal(again.length, batch.cases.length)
    const stored = await subject.stored(agencyCode)
    const counts = new Map<string, number>()
    for (const n of stored) counts.set(n, (counts.get(n) ?? 0) + 1)
    t.same([...counts.entries()].filter(([, n]) => n > 1), [], 'no case is stored twice')
  })

  await t.test(`${kind}: close is idempotent, also without a push`, async t => {
    const target = subject.create()
    await target.close()
    await target.close()
    t.pass('closing twice did not throw')
  })

  await t.test(`${kind}: an unreachable platform fails the push with a retriable typed error`, async t => {
    const target = subject.createUnreachable()
    let caught: unknown
    try {
      await target.push({ ...batch, idempotencyKey: `${kind}-unreachable` }, signal)
    } catch (err) {
      caught = err
    } finally {
      await target.close()
    }
    t.ok(caught instanceof CaseBridgeError, `a CaseBridgeError (${String(caught)})`)
    if (caught instanceof CaseBridgeError) {
      t.match(caught.code, /^CB_ERR_[A-Z_]+$/)
      t.equal(caught.family, 'retriable', 'the queue retries it')
    }
  })

  await t.test(`${kind}: listCases, where offered, lists what was pushed`, async t => {
    const target = subject.create()
    if (target.listCases === undefined) {
      await target.close()
      t.equal(kind, 'sftp', 'only the one-way file drop goes without a listing')
      return
    }
    const listed = new Set<string>()
    for await (const page of target.listCases(agencyCode, signal)) for (const c of page) listed.add(c.caseNumber)
    await target.close()
    t.same(batch.cases.map(c => c.caseNumber).filter(n => !listed.has(n)), [], 'every pushed case is listed')
  })
}
