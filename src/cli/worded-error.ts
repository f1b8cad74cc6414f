/**
 * A configuration, mapping or profile file the hub refused, worded in the operator's language:
 * the loaders keep each problem as a text beside its English (src/errors.ts), and the command
 * line words it. Anything else keeps its message.
 */
import { ConfigError, MappingFileError, ProfileFileError, type CaseBridgeError } from '../errors.js'
import { renderText } from '../i18n/texts.js'
import type { Translate } from '../i18n/translate.js'
import { describeMappingFileError } from '../mapping/describe-mapping-error.js'

/** The problems of a refused file in `t`'s language, one per line; undefined for an error that carries no text. */
export function wordedProblems (err: CaseBridgeError, t: Translate): string[] | undefined {
  if (err instanceof ConfigError && err.texts.length > 0) return err.texts.map(p => `${p.at}: ${p.texts.map(x => renderText(t, x)).join(t('text.or'))}`)
  if (err instanceof MappingFileError) return [describeMappingFileError(err, t)]
  if (err instanceof ProfileFileError && err.cause instanceof MappingFileError) return [describeMappingFileError(err.cause, t)]
  return undefined
}
