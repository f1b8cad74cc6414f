import { DEFAULT_LOCALE, LOCALES, isLocale, translator, type Locale, type Translate } from '../i18n/translate.js'
import { UsageError } from '../errors.js'

/**
 * The language the operator asked for: `--lang`, else CASEBRIDGE_LOCALE; undefined when
 * neither is set. An unknown language is a usage mistake, said in both languages (there is
 * no other to say it in).
 */
export function askedLocale (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Locale | undefined {
  const asked = flag ?? env.CASEBRIDGE_LOCALE
  if (asked === undefined || asked === '') return undefined
  if (!isLocale(asked)) throw new UsageError(`unknown language "${asked}"; known: ${LOCALES.join(', ')} / 未知语言“${asked}”；可用：${LOCALES.join('、')}`)
  return asked
}

/**
 * The translator of a command run on the box: the language asked for, else the config's
 * `hub.locale` (for commands that read one), else zh-CN.
 */
export function cliTranslator (asked: Locale | undefined, configured?: Locale): Translate {
  return translator(asked ?? configured ?? DEFAULT_LOCALE)
}
