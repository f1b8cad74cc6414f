/**
 * What "a zh-CN text is fully Chinese" means, precisely enough to fail a test.
 *
 * A **Latin sentence** is two or more consecutive English words — runs of two or more Latin
 * letters, at least one of them lower-case — separated by one space, an ASCII comma (with
 * or without a space) or an apostrophe ("the source offers no full listing"). These are not words and never
 * count (they are code, names or units, the same in every language):
 *   - a `{placeholder}`, a `code span` and a <metavariable>;
 *   - a command line: from `casebridge` up to the next Chinese character or full-width
 *     punctuation mark (`casebridge resume --agency X`);
 *   - an identifier: a letter run glued to a digit, `_`, `-`, `.`, `/`, `=`, `:`, `|`, `[`,
 *     `]`, `@`, `$` or `#` — a `.` or `:` after it only when more follows without a space,
 *     so a sentence's own full stop still ends a sentence (`late_entry`, `--full-listing`, `hub.locale`, `zh-CN|en`,
 *     `format:cn-resident-id`, `/parties/0/idNumber`);
 *   - an all-capital abbreviation (`HTTP`, `SQL`, `SHA`);
 *   - the names in {@link ALLOWED_PHRASES} (command words that come in pairs).
 */

/** Command names of two words, which are syntax, not English. */
const ALLOWED_PHRASES = ['mapping test', 'profile test', 'quarantine retry', 'quarantine discard', 'dead-letters retry', 'dead-letters discard', 'reconcile --config']

const CJK_OR_FULLWIDTH = '\\u3000-\\u303f\\u4e00-\\u9fff\\uff00-\\uffef'
const GLUE = '[\\w\\-./=:|\\[\\]@$#<>{}\\\\]'
// A full stop or colon ends a sentence when a space or the end follows; glued to more, it is part of a name (hub.locale, format:cn-resident-id).
const GLUE_AFTER = '(?:[\\w\\-/=|\\[\\]@$#<>{}\\\\]|[.:](?=\\S))'
const WORD = `(?<!${GLUE})(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?!${GLUE_AFTER})`
// Words are apart by one space or a comma: cells of a table (two spaces or more) are not one sentence.
const SENTENCE = new RegExp(`${WORD}(?:(?:, ?| |')${WORD})+`, 'g')

/** The text with everything that is not language taken out (each replaced by a space). */
export function withoutCode (text: string): string {
  let out = text
  out = out.replace(/`[^`]*`/g, ' ')
  out = out.replace(/\{[A-Za-z][A-Za-z0-9]*\}/g, ' ')
  out = out.replace(/<[^<>\n]*>/g, ' ')
  out = out.replace(new RegExp(`casebridge[^${CJK_OR_FULLWIDTH}\\n]*`, 'g'), ' ')
  for (const phrase of ALLOWED_PHRASES) out = out.split(phrase).join(' ')
  return out
}

/** Every Latin sentence in `text` (empty when the text is fully Chinese by the rule above). */
export function latinSentences (text: string): string[] {
  return [...withoutCode(text).matchAll(SENTENCE)].map(m => m[0])
}
