#!/usr/bin/env node
import { resolve } from 'node:path'
import { runCommand } from './run-command.js'
import { checkConfigCommand } from './check-config-command.js'
import { CaseBridgeError, ConfigError, UsageError } from '../errors.js'
import { isOperatorCommand, operatorSubcommands, runOperatorCommand } from './operator-commands.js'
import { nearest } from './suggest.js'
import { mappingCommand } from './mapping-command.js'
import { profileCommand } from './profile-command.js'
import { quarantineRetryCommand } from './quarantine-command.js'
import { reconcileCommand } from './reconcile-command.js'
import { loadDemo } from './demo-loader.js'
import { globalOptions, parseOptions, usageTranslator } from './command-line.js'
import { commandHelp, generalHelp, isCommand, unknownCommand } from './help.js'
import { wordedProblems } from './worded-error.js'
import { LOCALES, isLocale, listOf, translator } from '../i18n/translate.js'

async function main (argv: string[]): Promise<number> {
  const { args, lang, help } = globalOptions(argv)
  // `--lang` anywhere on the line is the operator's language for everything this process says.
  if (lang !== undefined) {
    // Said in both languages: there is no chosen one to say it in.
    if (!isLocale(lang)) return usage(LOCALES.map(locale => translator(locale)('cli.usage.unknownLanguage', { lang, known: LOCALES.join(', ') })).join(' / '))
    process.env.CASEBRIDGE_LOCALE = lang
  }
  const t = usageTranslator()
  const [command, ...rest] = args
  if (command === undefined) {
    process.stdout.write(generalHelp(t))
    return help ? 0 : 2
  }
  if (command === 'help' && rest[0] === undefined) { process.stdout.write(generalHelp(t)); return 0 }
  const topic = command === 'help' ? rest[0]! : command
  if (!isCommand(topic)) return usage(unknownCommand(t, topic))
  if (help || command === 'help') { process.stdout.write(commandHelp(t, topic)); return 0 }
  try {
    return await dispatch(command, rest)
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message, command)
    throw err
  }
}

async function dispatch (command: string, rest: string[]): Promise<number> {
  // With a config file, reconcile runs here rather than through a running hub's API.
  if (command === 'reconcile' && rest.some(a => a === '--config' || a === '-c' || a.startsWith('--config='))) return await reconcileCommand(rest)
  if (isOperatorCommand(command, rest)) return await runOperatorCommand(command, rest)
  const t = usageTranslator()
  switch (command) {
    case 'demo': {
      const { values } = parseOptions(rest, { records: { type: 'string' }, live: { type: 'boolean' }, 'agency-port': { type: 'string' }, 'platform-port': { type: 'string' }, 'admin-port': { type: 'string' }, 'key-prefix': { type: 'string' }, 'work-dir': { type: 'string' }, platform: { type: 'string' } }, false)
      const numbers: Record<string, number> = {}
      for (const [flag, key] of [['records', 'records'], ['agency-port', 'agencyPort'], ['platform-port', 'platformPort'], ['admin-port', 'adminPort']] as const) {
        const text = values[flag]
        if (text === undefined) continue
        const n = Number(text)
        if (!Number.isInteger(n) || n < 0 || (flag !== 'records' && n > 65535)) throw new UsageError(t(flag === 'records' ? 'cli.usage.demoNumber' : 'cli.usage.demoPort', { option: `--${flag}`, value: text }))
        numbers[key] = n
      }
      const platform = values.platform ?? 'canonical'
      if (platform !== 'canonical' && platform !== 'province' && platform !== 'table') throw new UsageError(t('cli.usage.demoPlatform', { value: platform }))
      const { runDemo } = await loadDemo()
      return await runDemo({
        platform,
        ...numbers, live: values.live === true,
        ...(values['key-prefix'] === undefined ? {} : { keyPrefix: values['key-prefix'] }),
        ...(values['work-dir'] === undefined ? {} : { workDir: resolve(values['work-dir']) }),
      })
    }
    case 'run': {
      const { values } = parseOptions(rest, { config: { type: 'string', short: 'c' } }, false)
      // The container image, compose and the systemd unit name the file in CASEBRIDGE_CONFIG, as the health probe reads it.
      const file = values.config ?? process.env.CASEBRIDGE_CONFIG
      if (file === undefined || file === '') throw new UsageError(t('cli.usage.runNeedsConfig'))
      return await runCommand(file)
    }
    case 'profile': return await profileCommand(rest)
    case 'check-config': return await checkConfigCommand(rest)
    case 'mapping': return await mappingCommand(rest)
    case 'quarantine': return await quarantineRetryCommand(rest)
    default: {
      // A command of ours with a subcommand it does not have (`dead-letters retyr`).
      const known = operatorSubcommands(command)
      const sub = rest[0] ?? ''
      const near = nearest(sub, known)
      throw new UsageError(known.length === 0 ? unknownCommand(t, command) : t(near === undefined ? 'cli.usage.unknownSubcommand' : 'cli.usage.unknownSubcommandNear', { command, sub, near: near ?? '', known: listOf(t, known) }))
    }
  }
}

/** A usage mistake: what is wrong and where the help is, in the operator's language; exit 2. */
function usage (problem: string, command?: string): number {
  const pointer = command === undefined ? '' : `  ${usageTranslator()('cli.usage.seeHelp', { command })}\n`
  process.stderr.write(`casebridge${command === undefined ? '' : ` ${command}`}: ${problem}\n${pointer}`)
  return 2
}

// A reader that stops early (`casebridge alarms --state all | head`) closes the pipe: stop
// quietly, as Unix tools do, instead of dying on an unhandled EPIPE with a stack trace. A
// long-running command (demo, run) writes its logs to a file; its stdout closing ends it too.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  process.exit(process.exitCode ?? 0)
})

main(process.argv.slice(2)).then(code => { process.exitCode = code }, (err: unknown) => {
  if (err instanceof CaseBridgeError) {
    // A refused configuration, mapping or profile file, in the operator's language (--lang, CASEBRIDGE_LOCALE, else zh-CN).
    const t = usageTranslator()
    const worded = t.locale === 'en' ? undefined : wordedProblems(err, t)
    const heading = err instanceof ConfigError && err.file !== undefined ? [t('cli.checkConfig.invalid', { file: err.file })] : []
    process.stderr.write(`casebridge: ${worded === undefined ? err.message : [...heading, ...worded].join('\n  ')}\n`)
    process.exitCode = err.family === 'config' ? 2 : 1
  } else {
    process.stderr.write(`casebridge: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    process.exitCode = 1
  }
})
