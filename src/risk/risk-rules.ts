/**
 * The transfer-risk rules file (config `risk.rulesFile`, e.g. mappings/transfer-risk.yaml):
 * criminal filing thresholds per case cause and handling time limits. Read and checked the
 * way mapping files are — parsed with positions (src/yaml/positions.ts), checked against
 * schemas/risk-rules.schema.json (defaults filled in there) by the mapping's structure
 * check — so every problem is a MappingFileError starting `file:line:col:`, worded in the
 * operator's language by describeMappingFileError.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { MappingFileError } from '../errors.js'
import type { Milestone, RiskRules, ThresholdRule, TimeLimitRule } from '../generated/defaulted/risk-rules.js'
import { textOf } from '../i18n/texts.js'
import { checkStructure } from '../mapping/schema-check.js'
import { schemaPath } from '../paths.js'
import { createAjv } from '../schema/ajv.js'
import { parseYamlWithPositions } from '../yaml/positions.js'

export type { Milestone, RiskRules, ThresholdRule, TimeLimitRule }

/** A threshold rule with its amount in fen (分), exact. */
export interface CompiledThreshold extends ThresholdRule { readonly thresholdFen: bigint }

/** The rules as the findings use them. `version`: a digest of the file's content (the file has no version key of its own). */
export interface CompiledRiskRules {
  readonly version: string
  readonly file: string
  readonly nearShare: number
  readonly repeatWindowDays: number
  readonly thresholds: readonly CompiledThreshold[]
  readonly timeLimits: readonly TimeLimitRule[]
}

let validator: ValidateFunction<RiskRules> | undefined

function validateRules (): ValidateFunction<RiskRules> {
  if (validator === undefined) {
    const schema = JSON.parse(readFileSync(schemaPath('risk-rules.schema.json'), 'utf8')) as object
    validator = createAjv({ allowUnionTypes: true, verbose: true, useDefaults: true, keywords: ['x-allowed-keys', 'tsType'] }).compile<RiskRules>(schema)
  }
  return validator
}

/** "1500.00" → 150000n: the canonical money and the rules' thresholds compare exactly. */
export function moneyToFen (money: string): bigint {
  const [yuan = '0', fen = '00'] = money.split('.')
  return BigInt(yuan) * 100n + BigInt(fen)
}

/** Compile rules file content; `file` names it in messages. */
export function compileRiskRules (text: string, file: string): CompiledRiskRules {
  const absolute = resolve(file)
  const doc = parseYamlWithPositions(text, absolute)
  if (doc.value === null || doc.value === undefined) throw new MappingFileError(doc.where([]), textOf('mapping.schema.noMatch'))
  const spec = checkStructure(doc, validateRules())
  const ids = new Set<string>()
  const unique = (list: 'thresholds' | 'timeLimits', id: string, i: number): void => {
    if (ids.has(`${list}:${id}`)) throw new MappingFileError(doc.where([list, i, 'id']), textOf('risk.rules.duplicateId', { id }))
    ids.add(`${list}:${id}`)
  }
  spec.thresholds.forEach((r, i) => { unique('thresholds', r.id, i) })
  spec.timeLimits.forEach((r, i) => {
    unique('timeLimits', r.id, i)
    if (r.from === r.to) throw new MappingFileError(doc.where(['timeLimits', i, 'to']), textOf('risk.rules.sameMilestone', { milestone: r.to }))
    if (r.warnDays >= r.days) throw new MappingFileError(doc.where(['timeLimits', i, 'warnDays']), textOf('risk.rules.warnTooLong', { warnDays: r.warnDays, days: r.days }))
  })
  return {
    version: createHash('sha256').update(text).digest('hex').slice(0, 12),
    file: absolute,
    nearShare: spec.nearShare,
    repeatWindowDays: spec.repeatParty.windowDays,
    thresholds: spec.thresholds.map(r => ({ ...r, thresholdFen: moneyToFen(r.threshold) })),
    timeLimits: spec.timeLimits,
  }
}

/** Read and compile the rules file at `file`. */
export async function loadRiskRules (file: string): Promise<CompiledRiskRules> {
  const absolute = resolve(file)
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (err) {
    throw new MappingFileError(absolute, textOf('risk.rules.unreadable', { reason: (err as NodeJS.ErrnoException).code ?? String(err) }), { cause: err })
  }
  return compileRiskRules(text, absolute)
}
