import type { Ledger } from '../ledger/ledger.js'
import type { CompiledMapping } from '../mapping/types.js'
import { completenessOf, type FieldCompleteness } from '../schema/completeness.js'

export interface AgencyCompleteness { readonly agency: string; readonly cases: number; readonly fields: readonly FieldCompleteness[] }

/** An agency's completeness: the ledger's counts, judged with the `absent:` of its mapping in use. */
export async function agencyCompleteness (deps: { readonly ledger: Ledger; readonly mappings?: ReadonlyMap<string, { current (): CompiledMapping }> }, agencyId: string): Promise<AgencyCompleteness> {
  const { cases, missing } = await deps.ledger.completeness(agencyId)
  const absent = new Map((deps.mappings?.get(agencyId)?.current().absent ?? []).map(a => [a.field, a.note]))
  return { agency: agencyId, cases, fields: completenessOf(cases, missing, absent) }
}
