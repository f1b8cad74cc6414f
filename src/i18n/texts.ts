/**
 * A text worded later, in the reader's language: a catalogue key and its parameters. An
 * error raised deep in the mapping compiler does not know who reads it (the log in English,
 * an operator in zh-CN), so it carries its text as data and each reader words it.
 */
import { listOf, type MessageKey, type Translate } from './translate.js'

/** A parameter: a value shown as is, names shown as a list, names joined by "and", or a text of its own. */
export type TextParam = string | number | readonly string[] | { readonly and: readonly string[] } | Text
export type TextParams = Readonly<Record<string, TextParam>>

export interface Text {
  readonly key: MessageKey
  readonly params: TextParams
}

export function textOf (key: MessageKey, params: TextParams = {}): Text {
  return { key, params }
}

const isText = (p: TextParam): p is Text => typeof p === 'object' && 'key' in p

function renderParam (t: Translate, p: TextParam): string | number {
  if (typeof p === 'string' || typeof p === 'number') return p
  if (isText(p)) return renderText(t, p)
  if ('and' in p) return p.and.join(t('text.and'))
  return listOf(t, p)
}

/** The text in the translator's language, parameters worded the same way. */
export function renderText (t: Translate, x: Text): string {
  return t(x.key, Object.fromEntries(Object.entries(x.params).map(([name, p]) => [name, renderParam(t, p)])))
}
