/**
 * A `when:` or `skip:` entry of a mapping file → a compiled {@link Test}. Checks what the
 * schema cannot (exactly one operator; `field` with field tests only) and reads values as
 * written, so `equals: 01` compares with "01". Codes a condition asks for with `equals` or
 * `in` are collected, so the compiler can check them against the code table of that field.
 */
import type { Condition } from '../generated/mapping.js'
import { textOf } from '../i18n/texts.js'
import { refuse, type CodeUse, type PositionedYaml, type YamlPath } from './compile-context.js'
import { COMBINATORS, compileCondition, FIELD_OPERATORS, type ConditionSpec, type Test } from './conditions.js'

const ALL_OPERATORS = [...FIELD_OPERATORS, ...COMBINATORS]

function specOf (doc: PositionedYaml, entry: Condition, path: YamlPath, codeUses: CodeUse[] | undefined): ConditionSpec {
  const fieldOps = FIELD_OPERATORS.filter(op => entry[op] !== undefined)
  const combinators = COMBINATORS.filter(op => entry[op] !== undefined)
  const ops = [...fieldOps, ...combinators]
  if (ops.length !== 1) {
    const found = ops.length === 0 ? textOf('mapping.none') : { and: ops }
    refuse(doc, path, 'mapping.condition.oneOperator', { found, allowed: ALL_OPERATORS })
  }
  const written = (p: YamlPath, v: unknown): string => (doc.scalarAsWritten(p) ?? String(v)).trim()
  const combinator = combinators[0]
  if (combinator !== undefined) {
    if (entry.field !== undefined) refuse(doc, [...path, 'field'], 'mapping.condition.fieldWithCombinator', { combinator }, 'key')
    // Codes under `not` are codes a rule avoids, not codes it expects the table to know.
    const inner = combinator === 'not' ? undefined : codeUses
    if (combinator === 'not') return { op: 'not', condition: specOf(doc, entry.not!, [...path, 'not'], inner) }
    const list = combinator === 'all' ? entry.all! : entry.any!
    return { op: combinator, conditions: list.map((c, i) => specOf(doc, c, [...path, combinator, i], inner)) }
  }
  const op = fieldOps[0]!
  const field = entry.field
  if (field === undefined) refuse(doc, path, 'mapping.condition.fieldMissing', { op })
  switch (op) {
    case 'present':
      return { op, field, present: entry.present === true }
    case 'in': case 'notIn': {
      const values = entry[op]!.map((v, i) => written([...path, op, i], v))
      if (op === 'in') values.forEach((code, i) => codeUses?.push({ field, code, path: [...path, op, i] }))
      return { op, field, values }
    }
    case 'equals': case 'notEquals': {
      const value = written([...path, op], entry[op])
      if (op === 'equals') codeUses?.push({ field, code: value, path: [...path, op] })
      return { op, field, value }
    }
    case 'contains': case 'startsWith':
      return { op, field, value: entry[op]! }
  }
}

/**
 * Compile a checked condition entry at `path`. `codeUses`, when given, receives every code the
 * condition expects a field to hold (skip conditions pass none: skipping a code the tables do
 * not know, such as a draft status, is exactly what skips are for).
 */
export function compileConditionEntry (doc: PositionedYaml, entry: Condition, path: YamlPath, codeUses?: CodeUse[]): Test {
  return compileCondition(specOf(doc, entry, path, codeUses))
}
