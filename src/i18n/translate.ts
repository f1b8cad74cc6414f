import { MESSAGES_EN, type MessageKey } from './messages-en.js'
import { MESSAGES_ZH_CN } from './messages-zh-CN.js'

export type { MessageKey } from './messages-en.js'

/**
 * What the texts need of a mapping problem (src/mapping/types.ts MappingProblem has these):
 * declared here so the catalogues import nothing of the mapping engine, which uses them.
 */
export interface ProblemWords {
  readonly rule: string
  readonly canonicalField: string
  readonly sourceField?: string | undefined
  /** The engine's English detail: not worded, but part of a problem wherever one is passed. */
  readonly message?: string
}

/** The languages of operator-facing texts (config `hub.locale`). */
export type Locale = 'zh-CN' | 'en'
export const LOCALES: readonly Locale[] = ['zh-CN', 'en']
export const DEFAULT_LOCALE: Locale = 'zh-CN'

export type MessageParams = Readonly<Record<string, string | number>>
/** A message catalogue bound to one locale; `locale` says which, for texts built outside the catalogue. */
export interface Translate {
  (key: MessageKey, params?: MessageParams): string
  readonly locale: Locale
}

const CATALOGUES: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { 'zh-CN': MESSAGES_ZH_CN, en: MESSAGES_EN }

export function catalogue (locale: Locale): Readonly<Record<MessageKey, string>> {
  return CATALOGUES[locale]
}

export function isLocale (value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** The first language of an Accept-Language header we have texts for, else `fallback`. */
export function negotiateLocale (header: string | undefined, fallback: Locale): Locale {
  for (const part of (header ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? ''
    if (tag === 'en' || tag.startsWith('en-')) return 'en'
    if (tag === 'zh' || tag === 'zh-cn' || tag === 'zh-hans' || tag.startsWith('zh-hans-')) return 'zh-CN'
  }
  return fallback
}

/** The placeholders a message uses, in order of appearance (for the catalogue comparison). */
export function placeholdersOf (text: string): string[] {
  return [...text.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map(m => m[1]!)
}

/**
 * A translator for one locale. A placeholder without a value stays visible as `{name}`:
 * a text with a gap is better than an operator-facing failure.
 */
export function translator (locale: Locale): Translate {
  const messages = CATALOGUES[locale]
  const t = (key: MessageKey, params: MessageParams = {}): string => messages[key].replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) => {
    const value = params[name]
    return value === undefined ? whole : String(value)
  })
  return Object.assign(t, { locale })
}

const RULE_FAMILIES: Readonly<Record<string, MessageKey>> = {
  required: 'quarantine.reason.required',
  format: 'quarantine.reason.format',
  pattern: 'quarantine.reason.pattern',
  type: 'quarantine.reason.type',
  enum: 'quarantine.reason.enum',
  const: 'quarantine.reason.const',
  date: 'quarantine.reason.date',
  money: 'quarantine.reason.money',
  table: 'quarantine.reason.table',
  dependentRequired: 'quarantine.reason.dependency',
  'mapping-crashed': 'quarantine.reason.crashed',
  parse: 'quarantine.reason.parse',
}

/** What is wrong with one problem's value, in the translator's language, without naming the field. */
export function problemReason (t: Translate, problem: Pick<ProblemWords, 'rule'>): string {
  const family = problem.rule.split(':')[0] ?? ''
  return t(RULE_FAMILIES[family] ?? 'quarantine.reason.other', { rule: problem.rule })
}

/**
 * One quarantine problem as an operator reads it, in the hub's language: the rule's family
 * (`format:cn-resident-id` → format) picks the text; the field is the canonical one, or the
 * source field when the record never became a case. The English `message` of the problem
 * stays beside it in API answers for the details.
 */
export function describeProblem (t: Translate, problem: ProblemWords): string {
  const reason = problemReason(t, problem)
  const field = problem.canonicalField !== '' ? problem.canonicalField : (problem.sourceField ?? '')
  // A crash or an unreadable row concerns the whole record, not a field.
  const text = field === '' || problem.rule === 'mapping-crashed' || problem.rule === 'parse' ? reason : t('quarantine.fieldReason', { field, reason })
  return problem.sourceField === undefined || problem.canonicalField === '' ? text : `${text} (${t('quarantine.source', { source: problem.sourceField })})`
}

/**
 * Title and description of an alarm in the hub's language (a `cause` param picks the
 * description of that cause where the kind has one); an unknown kind is shown by its
 * name. A kind has texts when the catalogue has its title and description (the catalogue
 * test checks every kind of src/alarms/alarm-kinds.ts has them): the texts know nothing of
 * the alarm module, which uses them.
 */
export function alarmText (t: Translate, kind: string, params: MessageParams): { title: string; description: string } {
  const title = `alarm.${kind}.title`
  const description = `alarm.${kind}.description`
  if (!isMessageKey(title) || !isMessageKey(description)) return { title: kind, description: kind }
  // A kind may word its causes apart (agency_unreachable: refused, not_answering), from the alarm's detail.cause.
  const variant = `alarm.${kind}.description.${String(params.cause)}`
  return { title: t(title), description: t(isMessageKey(variant) ? variant : description, params) }
}

/** Items (names, codes) as a list in the reader's language: "a, b" in English, "a、b" in Chinese. */
export function listOf (t: Translate, items: readonly string[]): string {
  return items.join(t('cli.list.separator'))
}

/** Whether the catalogues have `key` (for keys built from data: a kind, a rule id). */
export function isMessageKey (key: string): key is MessageKey {
  return Object.hasOwn(MESSAGES_EN, key)
}
