/**
 * The facts of one case version that the transfer-risk and time-limit findings need — and
 * nothing else: cause, field, procedure, status, the amounts, the transfer, whether a
 * penalty was imposed, the milestone dates, and the parties as keyed hashes. No name, no
 * plain ID number: a party is HMAC-SHA256(partySecret, kind + normalised ID number or credit
 * code), so the hub can tell that two cases name the same party without storing who it is.
 */
import { createHmac } from 'node:crypto'
import type { CanonicalCase } from '../generated/case.js'
import type { CaseFacts } from '../ledger/risk-facts-store.js'

export type { CaseFacts }


/** 128 bits of HMAC-SHA256, hex: enough to tell parties apart, and the same for the same ID under the same secret. */
export function partyKey (secret: string, kind: 'person' | 'organisation', id: string): string {
  const normalised = id.normalize('NFKC').replace(/\s+/g, '').toUpperCase()
  return createHmac('sha256', secret).update(`${kind}:${normalised}`).digest('hex').slice(0, 32)
}

/** The facts of `c`; a value the case lacks is absent here too. */
export function caseFacts (c: CanonicalCase, partySecret: string): CaseFacts {
  const fine = c.amounts?.fine
  const penalised = (c.penalties?.length ?? 0) > 0 || (fine !== undefined && /[1-9]/.test(fine))
  const parties = [...new Set(c.parties.map(p => p.kind === 'person' ? partyKey(partySecret, 'person', p.idNumber) : partyKey(partySecret, 'organisation', p.creditCode)))]
  const set = <K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } => (value === undefined ? {} : { [key]: value }) as { [k in K]?: V }
  return {
    ...set('cause', c.classification?.cause),
    ...set('field', c.classification?.field),
    ...set('procedure', c.classification?.procedure),
    status: c.status,
    ...set('involved', c.amounts?.involved),
    ...set('illegalGains', c.amounts?.illegalGains),
    ...set('fine', fine),
    ...set('suspectedCrime', c.transfer?.suspectedCrime),
    ...set('transferDate', c.transfer?.transferDate),
    penalised,
    ...set('filed', c.dates?.filed),
    ...set('decided', c.dates?.decided),
    ...set('closed', c.dates?.closed),
    parties,
  }
}
