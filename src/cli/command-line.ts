/**
 * The conventions every command shares: `--lang` and `--help` anywhere on the line, and
 * option mistakes said in the operator's language with the nearest option suggested —
 * never node's English parser message, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../errors.js'
import { askedLocale, cliTranslator } from './cli-locale.js'
import { nearest } from './suggest.js'
import type { Translate } from '../i18n/translate.js'

export interface GlobalOptions {
  /** The arguments without `--lang …`, `--help` and `-h`. */
  readonly args: string[]
  readonly lang: string | undefined
  readonly help: boolean
}

/**
 * Take `--lang X` / `--lang=X` and `--help` / `-h` from anywhere before a `--`, so that
 * `casebridge --lang en help` and `casebridge status --help` mean what they say.
 */
export function globalOptions (argv: readonly string[]): GlobalOptions {
  const args: string[] = []
  let lang: string | undefined
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') { args.push(...argv.slice(i)); break }
    if (arg === '--help' || arg === '-h') help = true
    else if (arg === '--lang') { lang = argv[i + 1]; i++ } else if (arg.startsWith('--lang=')) lang = arg.slice('--lang='.length)
    else args.push(arg)
  }
  return { args, lang, help }
}

/** The translator for usage mistakes: the language asked for (`--lang`, CASEBRIDGE_LOCALE), else zh-CN. */
export function usageTranslator (): Translate {
  try {
    return cliTranslator(askedLocale(undefined))
  } catch {
    return cliTranslator(undefined)
  }
}

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * node:util parseArgs, with its refusals turned into a {@link UsageError} worded in the
 * operator's language: which option is unknown and the nearest known one, which needs a
 * value, which argument was not expected (the caller points to the command's help).
 */
export function parseOptions<O extends Options> (args: string[], options: O, allowPositionals = true): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args, options, allowPositionals })
  } catch (err) {
    throw new UsageError(describeParseError(usageTranslator(), args, options, (err as NodeJS.ErrnoException).code), { cause: err })
  }
}

function describeParseError (t: Translate, args: readonly string[], options: Options, code: string | undefined): string {
  const names = Object.keys(options)
  const shorts = new Map(Object.entries(options).flatMap(([name, o]) => (o.short === undefined ? [] : [[o.short, name] as const])))
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') break
    if (!arg.startsWith('-') || arg === '-') continue
    const long = arg.startsWith('--')
    const name = long ? arg.slice(2).split('=')[0]! : arg.slice(1, 2)
    const option = long ? name : shorts.get(name)
    if (option === undefined || !(option in options)) {
      const near = long ? nearest(name, names) : undefined
      return t(near === undefined ? 'cli.usage.unknownOption' : 'cli.usage.unknownOptionNear', { option: long ? `--${name}` : `-${name}`, near: `--${near ?? ''}` })
    }
    const wantsValue = options[option]!.type === 'string'
    const inline = long && arg.includes('=')
    if (wantsValue && !inline) {
      const next = args[i + 1]
      if (next === undefined || next.startsWith('-')) return t('cli.usage.optionNeedsValue', { option: `--${option}` })
      i++
    } else if (!wantsValue && inline) return t('cli.usage.optionTakesNoValue', { option: `--${option}` })
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return t('cli.usage.unexpectedArgument', { argument: args.find(a => !a.startsWith('-')) ?? '' })
  return t('cli.usage.badArguments')
}
