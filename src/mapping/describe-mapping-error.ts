import type { MappingFileError } from '../errors.js'
import { renderText } from '../i18n/texts.js'
import type { Translate } from '../i18n/translate.js'

/**
 * A mapping file error as an operator reads it: `file:line:col: what is wrong` in the
 * translator's language. The position stays as it is; an untranslated text (target
 * profiles) is shown in English, as its message says it.
 */
export function describeMappingFileError (err: MappingFileError, t: Translate): string {
  if (typeof err.text === 'string') return err.message
  const said = renderText(t, err.text)
  return err.where === '' ? said : `${err.where}: ${said}`
}
