import { maskPersonal, maskValue } from '../logging/mask.js'

/** Keys whose values are a person's name or ID, in canonical cases and in agency field names seen in the wild. */
const PERSONAL_KEY = /^(idNumber|ZJHM|SFZH|DSRXM|name|partyName|legalRepresentative|FDDBR|姓名|当事人姓名|当事人名称|名称|证件号码?|身份证号码?|法定代表人)$/i
const PARTY_POINTERS = ['name', 'idNumber', 'legalRepresentative'].flatMap(p => [0, 1, 2].map(i => `/parties/${i}/${p}`))

/**
 * The raw-record field names an agency's mapping reads party names and IDs from
 * ("DSR[0].ZJHM" → ZJHM), so its own vocabulary is masked too.
 */
export function personalSourceKeys (mapping: { sourceFieldFor (pointer: string): string | undefined } | undefined): Set<string> {
  const keys = new Set<string>()
  for (const pointer of PARTY_POINTERS) {
    const field = mapping?.sourceFieldFor(pointer)
    const last = field?.split('.').pop()?.replace(/\[\d+\]$/, '')
    if (last !== undefined && last !== '') keys.add(last)
  }
  return keys
}
const PUBLIC_NAME_PARENTS = new Set(['agency', 'hub', 'target'])

function collectPersonal (value: unknown, parentKey: string, found: Set<string>, extra: ReadonlySet<string>, depth = 0): void {
  if (depth > 12 || typeof value !== 'object' || value === null) return
  if (Array.isArray(value)) { for (const item of value) collectPersonal(item, parentKey, found, extra, depth + 1); return }
  for (const [key, item] of Object.entries(value)) {
    const personal = (PERSONAL_KEY.test(key) || extra.has(key)) && !(key === 'name' && PUBLIC_NAME_PARENTS.has(parentKey))
    if (typeof item === 'string' && personal && [...item].length >= 2) found.add(item)
    else collectPersonal(item, key, found, extra, depth + 1)
  }
}

function replaceEverywhere (value: unknown, known: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return known.reduce((text, personal) => text.split(personal).join(maskValue(personal)), value)
  if (depth > 12 || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(item => replaceEverywhere(item, known, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceEverywhere(v, known, depth + 1)]))
}

/**
 * What a viewer may see of records: src/logging/mask.ts masks personal fields and ID
 * numbers anywhere, but a party's name also turns up inside free text (the case title,
 * the facts summary). So the names and IDs a record carries in its personal fields are
 * first masked wherever else in the same record they appear. Longest first, so a full
 * name is masked before a part of it.
 */
export function maskForViewer (value: unknown, extraKeys: ReadonlySet<string> = new Set()): unknown {
  // A list of records: each masked with its own names, so a page costs linear time, not names × strings of the whole page.
  if (Array.isArray(value)) return value.map(item => maskForViewer(item, extraKeys))
  const found = new Set<string>()
  collectPersonal(value, '', found, extraKeys)
  const known = [...found].sort((a, b) => b.length - a.length)
  return maskPersonal(known.length === 0 ? value : replaceEverywhere(value, known))
}
