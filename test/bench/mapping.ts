/**
 * Mapping + validation throughput per core, for each of the three agencies' mappings, against
 * the baseline of raw ajv validation (`validateCase`) of the very canonical records the
 * mapping produced, measured in the same run on the same core. The ratio says what the
 * mapping step costs on top of the validation every case needs anyway. Further rows run the
 * market mapping with JSONata expressions, to show what the escape hatch costs, each with and
 * without the expression guard (src/mapping/expression-guard.ts) in the same run: `guardCost`
 * is 1 − (guarded rate / unguarded rate).
 *
 * The records are generated samples (clean, as a steady sync sees them), read once with the
 * agency's own reader (GBK XML, GB18030 CSV, JSON) outside the timed part.
 * Run alone: npx tsx test/bench/mapping.ts
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readRecords } from '../../src/formats/read-records.js'
import type { CanonicalCase } from '../../src/generated/case.js'
import { compileMapping } from '../../src/mapping/load-mapping.js'
import type { CompiledMapping } from '../../src/mapping/types.js'
import { projectRoot } from '../../src/paths.js'
import { validateCase } from '../../src/schema/validate-case.js'
import { resultOf } from '../../src/pipeline/map-records.js'
import type { BuiltSample } from '../../fixtures/agencies/sample-kit.js'
import * as market from '../../fixtures/agencies/market-regulation/generate.js'
import * as ecology from '../../fixtures/agencies/ecology-environment/generate.js'
import * as urban from '../../fixtures/agencies/urban-management/generate.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'

const RECORDS = 4000
/** Each measurement runs at least this long, so timer resolution and JIT warm-up do not matter. */
const MIN_SECONDS = 2

interface Row { agency: string; records: number; mapValidatePerSec: number; validateOnlyPerSec: number; ratio: number; interpretedPerSec?: number; generatedGain?: number }

async function recordsOf (built: BuiltSample, mapping: CompiledMapping): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = []
  for await (const item of readRecords(built.sample, { ...mapping.input, fileName: built.expected.sample })) {
    if ('error' in item) throw new Error(`bench sample unreadable: ${item.error.message}`)
    out.push(item.record)
  }
  return out
}

/** Records per second of `work` over `count` records, repeated until MIN_SECONDS have passed. */
async function rate (count: number, work: () => Promise<void> | void): Promise<number> {
  await work() // warm-up: compile paths, caches
  let rounds = 0
  const started = performance.now()
  do {
    await work()
    rounds++
  } while (performance.now() - started < MIN_SECONDS * 1000)
  return (rounds * count) / ((performance.now() - started) / 1000)
}

async function measure (agency: string, mapping: CompiledMapping, raws: ReadonlyArray<Record<string, unknown>>, reference?: CompiledMapping): Promise<Row> {
  const cases: CanonicalCase[] = []
  for (const raw of raws) {
    const result = resultOf(mapping, await mapping.mapAsync(raw))
    if (result.kind !== 'valid') throw new Error(`${agency}: a bench record is not valid (${JSON.stringify(result)})`)
    cases.push(result.case)
  }
  let sink = 0
  const mapValidate = mapping.usesExpressions
    ? await rate(raws.length, async () => { for (const raw of raws) if (resultOf(mapping, await mapping.mapAsync(raw)).kind === 'valid') sink++ })
    : await rate(raws.length, () => { for (const raw of raws) if (resultOf(mapping, mapping.map(raw)).kind === 'valid') sink++ })
  const validateOnly = await rate(cases.length, () => { for (const c of cases) if (validateCase(c).ok) sink++ })
  // The interpreted plan (the generated mapper's reference, src/mapping/codegen.ts), same run: what generating the code gains.
  const interpreted = reference === undefined || reference.usesExpressions
    ? undefined
    : await rate(raws.length, () => { for (const raw of raws) if (resultOf(reference, reference.map(raw)).kind === 'valid') sink++ })
  if (sink === 0) throw new Error('nothing was valid')
  const round3 = (n: number): number => Math.round(n * 1000) / 1000
  return {
    agency, records: raws.length, mapValidatePerSec: Math.round(mapValidate), validateOnlyPerSec: Math.round(validateOnly), ratio: round3(mapValidate / validateOnly),
    ...(interpreted === undefined ? {} : { interpretedPerSec: Math.round(interpreted), generatedGain: round3(mapValidate / interpreted) }),
  }
}

const agencies = [
  { agency: 'market-regulation (JSON)', file: 'market-regulation-peixian.yaml', build: market.build },
  { agency: 'ecology-environment (GBK XML)', file: 'ecology-environment-peixian.yaml', build: ecology.build },
  { agency: 'urban-management (GB18030 CSV)', file: 'urban-management-peixian.yaml', build: urban.build },
] as const

const GUARD_ROUNDS = 3
const best = (a: Row | undefined, b: Row): Row => a === undefined || b.mapValidatePerSec > a.mapValidatePerSec ? b : a
const rows: Row[] = []
const guardCosts: Array<{ expressions: string; unguardedPerSec: number; guardedPerSec: number; guardCost: number }> = []
for (const a of agencies) {
  const file = join(projectRoot, 'mappings', a.file)
  const mapping = compileMapping(readFileSync(file, 'utf8'), file)
  const raws = await recordsOf(a.build(RECORDS, true), mapping)
  rows.push(await measure(a.agency, mapping, raws, compileMapping(readFileSync(file, 'utf8'), file, { interpreted: true })))
  if (a.file.startsWith('market')) {
    // The escape hatch: the same mapping with its facts summary computed by a JSONata expression.
    const text = readFileSync(file, 'utf8').replace('/factsSummary:                   { from: AQZY, text: [trim] }', '/factsSummary:                   { expr: "AQZY", text: [trim] }')
    if (!text.includes('expr: "AQZY"')) throw new Error('bench: could not add the expression to the market mapping')
    const heavier = text.replace('/classification/cause:           { from: AY, text: [trim], required: true }', '/classification/cause:           { expr: "$trim(AY & \'\')", text: [trim], required: true }')
    if (heavier === text) throw new Error('bench: could not add the second expression to the market mapping')
    for (const [label, variant] of [['1 expression', text], ['2 expressions (& and $trim)', heavier]] as const) {
      // Alternated and repeated, the best of each kept: the machine is shared, and one slow round should not decide the cost.
      const unguardedMapping = compileMapping(variant, file, { guardExpressions: false })
      const guardedMapping = compileMapping(variant, file)
      let unguarded: Row | undefined
      let guarded: Row | undefined
      for (let round = 0; round < GUARD_ROUNDS; round++) {
        unguarded = best(unguarded, await measure(`market-regulation + ${label}, guard off`, unguardedMapping, raws))
        guarded = best(guarded, await measure(`market-regulation + ${label}, guard on`, guardedMapping, raws))
      }
      if (unguarded === undefined || guarded === undefined) throw new Error('bench: no guard rounds')
      rows.push(unguarded, guarded)
      guardCosts.push({ expressions: label, unguardedPerSec: unguarded.mapValidatePerSec, guardedPerSec: guarded.mapValidatePerSec, guardCost: Math.round((1 - guarded.mapValidatePerSec / unguarded.mapValidatePerSec) * 1000) / 1000 })
    }
  }
}

const machine = await machineInfo(TEST_REDIS_URL).catch(() => undefined)
printTable(`Mapping + validation vs validation only, records/s on one core (${machine?.cores ?? '?'} cores, ${machine?.cpu ?? 'unknown CPU'})`, [
  ['mapping', 'records', 'map + validate /s', 'validate only /s', 'ratio', 'interpreted plan /s', 'generated ÷ interpreted'],
  ...rows.map(r => [r.agency, r.records, r.mapValidatePerSec, r.validateOnlyPerSec, r.ratio, r.interpretedPerSec ?? '—', r.generatedGain ?? '—']),
])
printTable('Expression guard cost (same run)', [
  ['expressions', 'guard off /s', 'guard on /s', 'cost'],
  ...guardCosts.map(g => [g.expressions, g.unguardedPerSec, g.guardedPerSec, `${(g.guardCost * 100).toFixed(1)} %`]),
])
const file = writeResult('mapping', { machine, note: 'records/s on one core (single-threaded); ratio = (map + validate) / (validate only) on the same canonical records, same run; generatedGain = (map + validate with the generated mapper) / (the same with the interpreted plan), same run; guardCost = 1 - guarded/unguarded', rows, guardCosts })
process.stdout.write(`\nwrote ${file}\n`)
