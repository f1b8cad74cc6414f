import type { CanonicalCase } from '../generated/case.js'
import type { FieldProblem } from './field-problems.js'

/**
 * The cross-field rules JSON Schema cannot state: a case whose milestones are out of order
 * contradicts itself (a decision before the case was filed, a closing before the filing or
 * the decision) and is refused with the rule, like any other field problem. (The other
 * contradiction, a transfer date on a case flagged as not a suspected crime, is in the
 * schema: `$defs/transfer` `dependentSchemas`.)
 *
 * Compared by calendar day in each date's own offset (the first ten characters of its ISO
 * text): many agency systems record a day without a time, so a decision at 00:00 on the day
 * a case was filed at 09:30 is the same day, not a contradiction.
 */
export const DATE_ORDER_RULE = 'date-order'

const WORDS: Readonly<Record<string, string>> = { filed: 'the filing date', decided: 'the decision date', closed: 'the closing date' }

/** [later, earlier]: the later milestone may not fall on a day before the earlier one. */
const ORDER: ReadonlyArray<readonly [keyof typeof WORDS, keyof typeof WORDS]> = [['decided', 'filed'], ['closed', 'filed'], ['closed', 'decided']]

export function contradictions (c: CanonicalCase): FieldProblem[] {
  const dates = c.dates
  if (dates === undefined) return []
  const problems: FieldProblem[] = []
  for (const [later, earlier] of ORDER) {
    const a = dates[later as keyof typeof dates]
    const b = dates[earlier as keyof typeof dates]
    if (a === undefined || b === undefined || a.slice(0, 10) >= b.slice(0, 10)) continue
    // One problem per later date is enough to act on (a closing before both is one mistake).
    if (problems.some(p => p.path === `/dates/${later}`)) continue
    problems.push({ path: `/dates/${later}`, rule: DATE_ORDER_RULE, message: `${WORDS[later] ?? later} on or after ${WORDS[earlier] ?? earlier}: the record's dates contradict each other` })
  }
  return problems
}
