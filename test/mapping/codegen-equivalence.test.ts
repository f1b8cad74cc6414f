/**
 * The generated mapper (src/mapping/codegen.ts) against the interpreted plan it replaces:
 * on each demo agency's mapping, 10,000 randomised records — the agency's own generated
 * sample records, then each field dropped, blanked, turned into a number, a list, an object,
 * a Date, padding, garbage or a hostile string, party lists broken in every shape — must
 * give exactly the same outcome (kind, value, every problem with its fields and words).
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readRecords } from '../../src/formats/read-records.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import type { CompiledMapping } from '../../src/mapping/types.js'
import { projectRoot } from '../../src/paths.js'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import type { BuiltSample } from '../../fixtures/agencies/sample-kit.js'
import * as market from '../../fixtures/agencies/market-regulation/generate.js'
import * as ecology from '../../fixtures/agencies/ecology-environment/generate.js'
import * as urban from '../../fixtures/agencies/urban-management/generate.js'
import * as tobacco from '../../fixtures/agencies/tobacco-monopoly/generate.js'

const RECORDS = 10_000
const SEED = Number(process.env.CASEBRIDGE_CODEGEN_SEED ?? 20261204)

/** How strange a record gets: a share of the base chances below, so that many records still map. */
const HEAT = [0.05, 0.2, 1] as const
const HOSTILE = ['', ' ', '\t\n', '0', '-1', '1e309', 'NaN', '2024-13-45', '20240230', '１２３', '"; throw 1; "', '*/ x /*', '${process.exit()}', '\u2028\u2029', '__proto__', 'constructor', '\u0000', 'x'.repeat(5000), '110101199003077777', '张三', '1,234.50元', 'null', 'undefined']

/** A value of any shape a source may send instead of the expected one. */
function strange (rng: Rng): unknown {
  switch (rng.int(0, 9)) {
    case 0: return undefined
    case 1: return null
    case 2: return rng.int(-1000, 1_000_000)
    case 3: return rng.chance(0.5)
    case 4: return [rng.pick(HOSTILE)]
    case 5: return { nested: rng.pick(HOSTILE) }
    case 6: return new Date(rng.int(0, 2_000_000_000) * 1000)
    case 7: return new Date(Number.NaN)
    default: return rng.pick(HOSTILE)
  }
}

/** A copy of `record` with some of its fields (and its lists' elements) made strange. */
function mutate (record: Record<string, unknown>, rng: Rng, heat: number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) {
    if (rng.chance(0.08 * heat)) continue // dropped
    if (Array.isArray(value) && depth < 2) {
      if (rng.chance(0.1 * heat)) { out[key] = strange(rng); continue }
      out[key] = value.map(item => typeof item === 'object' && item !== null && !Array.isArray(item) && !rng.chance(0.05 * heat) ? mutate(item as Record<string, unknown>, rng, heat, depth + 1) : strange(rng))
      continue
    }
    if (typeof value === 'object' && value !== null && depth < 2) {
      out[key] = rng.chance(0.1 * heat) ? strange(rng) : mutate(value as Record<string, unknown>, rng, heat, depth + 1)
      continue
    }
    if (rng.chance(0.12 * heat)) out[key] = strange(rng)
    else if (rng.chance(0.05) && typeof value === 'string') out[key] = `  ${value}\t`
    else out[key] = value
  }
  if (rng.chance(0.02)) out.__proto__extra = rng.pick(HOSTILE)
  return out
}

async function samplesOf (built: BuiltSample, mapping: CompiledMapping): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = []
  for await (const item of readRecords(built.sample, { ...mapping.input, fileName: built.expected.sample })) {
    if (!('error' in item)) out.push(item.record)
  }
  return out
}

/** The outcome as text, Dates included, so two outcomes compare whole. */
const shown = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => v instanceof Date ? `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})` : v)

const agencies = [
  { file: 'market-regulation-peixian.yaml', build: () => market.build(400) },
  { file: 'ecology-environment-peixian.yaml', build: () => ecology.build(400) },
  { file: 'urban-management-peixian.yaml', build: () => urban.build(400) },
  { file: 'tobacco-monopoly-peixian.yaml', build: () => tobacco.build(400) },
] as const

for (const agency of agencies) {
  t.test(`${agency.file}: generated and interpreted mappers agree on ${RECORDS} randomised records`, async t => {
    const file = join(projectRoot, 'mappings', agency.file)
    const text = readFileSync(file, 'utf8')
    const generated = compileMapping(text, file)
    const interpreted = compileMapping(text, file, { interpreted: true })
    const samples = await samplesOf(agency.build(), interpreted)
    t.ok(samples.length >= 20, `the agency's sample gives records (${samples.length})`)
    const rng = new Rng(SEED)
    const kinds: Record<string, number> = {}
    let differing = 0
    let first: string | undefined
    for (let i = 0; i < RECORDS; i++) {
      const base = samples[i % samples.length]!
      // The first round is the samples as they are; then ever more strangeness.
      const record = i < samples.length ? base : mutate(base, rng, rng.pick(HEAT))
      const a = shown(await generated.mapAsync(record))
      const b = shown(await interpreted.mapAsync(record))
      const kind = (JSON.parse(b) as { kind: string }).kind
      kinds[kind] = (kinds[kind] ?? 0) + 1
      if (a !== b) {
        differing++
        first ??= `record ${i}: ${shown(record).slice(0, 400)}\n generated:   ${a.slice(0, 600)}\n interpreted: ${b.slice(0, 600)}`
      }
    }
    t.equal(differing, 0, `no record maps differently (seed ${SEED}; outcomes ${JSON.stringify(kinds)})${first === undefined ? '' : '\n' + first}`)
    t.ok((kinds.mapped ?? 0) > 100 && (kinds.failed ?? 0) > 100, `both paths were exercised: ${JSON.stringify(kinds)}`)
  })
}
