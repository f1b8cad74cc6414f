#!/usr/bin/env node
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runCommand } from './run-command.js'
import { CHECK_CONFIG_USAGE, checkConfigCommand } from './check-config-command.js'
import { CaseBridgeError, UsageError } from '../errors.js'
import { OPERATOR_USAGE, isOperatorCommand, runOperatorCommand } from './operator-commands.js'
import { MAPPING_USAGE, mappingCommand } from './mapping-command.js'
import { PROFILE_USAGE, profileCommand } from './profile-command.js'
import { QUARANTINE_RETRY_USAGE, quarantineRetryCommand } from './quarantine-command.js'
import { RECONCILE_DIRECT_USAGE, reconcileCommand } from './reconcile-command.js'
import { loadDemo } from './demo-loader.js'

const USAGE = `casebridge — sync hub between agency case systems and the two-laws platform

Usage:
  casebridge demo [--records N] [--live]   start the demo: hub + agency and platform simulators
                  [--agency-port P] [--platform-port P] [--admin-port P] [--key-prefix K] [--work-dir D]
                                           move it beside another (ports 4001, 4002, 4000; cb-demo; .casebridge)
                  [--platform canonical|province|table]
                                           deliver to the canonical API (default), the provincial exchange
                                           (mappings/profiles/province.yaml) or the 前置库 table on PostgreSQL
  casebridge run --config <file>           run the hub with a configuration file
  casebridge help                          this text
${CHECK_CONFIG_USAGE}
${MAPPING_USAGE}
${PROFILE_USAGE}
${QUARANTINE_RETRY_USAGE}
${RECONCILE_DIRECT_USAGE}

${OPERATOR_USAGE}

Exit codes: 0 ok, 1 failure while running, 2 bad usage or invalid configuration.`

async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  // With a config file, reconcile runs here rather than through a running hub's API.
  if (command === 'reconcile' && rest.some(a => a === '--config' || a === '-c' || a.startsWith('--config='))) return await reconcileCommand(rest)
  if (isOperatorCommand(command, rest)) return await runOperatorCommand(command!, rest)
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { records: { type: 'string' }, live: { type: 'boolean' }, 'agency-port': { type: 'string' }, 'platform-port': { type: 'string' }, 'admin-port': { type: 'string' }, 'key-prefix': { type: 'string' }, 'work-dir': { type: 'string' }, platform: { type: 'string' } } })
      const numbers: Record<string, number> = {}
      for (const [flag, key] of [['records', 'records'], ['agency-port', 'agencyPort'], ['platform-port', 'platformPort'], ['admin-port', 'adminPort']] as const) {
        const text = values[flag]
        if (text === undefined) continue
        const n = Number(text)
        if (!Number.isInteger(n) || n < 0 || (flag !== 'records' && n > 65535)) return usage(`demo --${flag} needs ${flag === 'records' ? 'a whole number' : 'a port number (0 for any free port)'}, got "${text}"`)
        numbers[key] = n
      }
      const platform = values.platform ?? 'canonical'
      if (platform !== 'canonical' && platform !== 'province' && platform !== 'table') return usage(`demo --platform is canonical (the platform's canonical JSON API, the default), province (the provincial exchange: its own fields, codes and signature) or table (the 前置库 exchange table on PostgreSQL), got "${platform}"`)
      const { runDemo } = await loadDemo()
      return await runDemo({
        platform,
        ...numbers, live: values.live === true,
        ...(values['key-prefix'] === undefined ? {} : { keyPrefix: values['key-prefix'] }),
        ...(values['work-dir'] === undefined ? {} : { workDir: resolve(values['work-dir']) }),
      })
    }
    case 'run': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } })
      if (values.config === undefined) return usage('run needs --config <file>')
      return await runCommand(values.config)
    }
    case 'check-config': case 'mapping': case 'profile': case 'quarantine':
      try {
        if (command === 'profile') return await profileCommand(rest)
        return command === 'check-config' ? await checkConfigCommand(rest) : command === 'mapping' ? await mappingCommand(rest) : await quarantineRetryCommand(rest)
      } catch (err) {
        if (err instanceof UsageError) return usage(err.message)
        throw err
      }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(USAGE + '\n')
      return command === undefined ? 2 : 0
    default:
      return usage(`unknown command "${command}"`)
  }
}

function usage (problem: string): number {
  process.stderr.write(`casebridge: ${problem}\n\n${USAGE}\n`)
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
    process.stderr.write(`casebridge: ${err.message}\n`)
    process.exitCode = err.family === 'config' ? 2 : 1
  } else {
    process.stderr.write(`casebridge: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    process.exitCode = 1
  }
})
