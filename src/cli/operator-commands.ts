import { AdminRequestError } from '../errors.js'
import { parseCommand, operatorContext, describeRequestError } from './operator-context.js'
import { statusCommand } from './status-command.js'
import { quarantineAdminCommand } from './quarantine-admin-command.js'
import { deadLettersCommand } from './dead-letters-command.js'
import { syncCommand } from './sync-command.js'
import { hashTokenCommand } from './hash-token-command.js'
import { ackCommand, alarmsCommand } from './alarms-command.js'
import { reconcileApiCommand } from './reconcile-api-command.js'
import { flowCommand } from './flow-command.js'
import { completenessCommand } from './completeness-command.js'
import { supervisionCommand } from './supervision-command.js'
import { findingsCommand } from './findings-command.js'
import { feedbackCommand, feedbackRetryCommand } from './feedback-command.js'
import { traceCommand } from './trace-command.js'
import { usageTranslator } from './command-line.js'
import { DEMO_ADMIN_URL } from './admin-client.js'

type Handler = (args: string[]) => Promise<number>

/** Subcommands by command; the first positional picks one, else the default (first) entry. */
const COMMANDS: Readonly<Record<string, Readonly<Record<string, Handler>>>> = {
  status: { '': async args => await statusCommand(await operatorContext(parseCommand(args, {}).values)) },
  quarantine: {
    list: async args => await quarantineAdminCommand('list', args),
    discard: async args => await quarantineAdminCommand('discard', args),
  },
  'dead-letters': {
    list: async args => await deadLettersCommand('list', args),
    retry: async args => await deadLettersCommand('retry', args),
    discard: async args => await deadLettersCommand('discard', args),
  },
  sync: { '': syncCommand },
  alarms: { '': alarmsCommand },
  completeness: { '': completenessCommand },
  supervision: { '': supervisionCommand },
  ack: { '': ackCommand },
  reconcile: { '': reconcileApiCommand },
  pause: { '': async args => await flowCommand('pause', args) },
  resume: { '': async args => await flowCommand('resume', args) },
  'clear-retries': { '': async args => await flowCommand('clear-retries', args) },
  'hash-token': { '': hashTokenCommand },
  findings: { '': findingsCommand },
  feedback: { list: feedbackCommand, retry: feedbackRetryCommand },
  trace: { '': traceCommand },
}

/** The named subcommands of an operator command (none for a command without any). */
export function operatorSubcommands (command: string): string[] {
  return Object.keys(COMMANDS[command] ?? {}).filter(sub => sub !== '')
}

export function isOperatorCommand (command: string | undefined, args: readonly string[] = []): boolean {
  if (command === undefined || !(command in COMMANDS)) return false
  const subs = COMMANDS[command]!
  const first = args[0]
  // A subcommand another module owns (e.g. `quarantine retry`) is not ours.
  return '' in subs || first === undefined || first.startsWith('-') || first in subs
}

/**
 * Run an operator command. Refusals of the admin API are told in the operator's language
 * (exit 1); usage mistakes go to the caller (exit 2).
 */
export async function runOperatorCommand (command: string, args: string[]): Promise<number> {
  const subs = COMMANDS[command]!
  let handler: Handler
  let rest = args
  if ('' in subs) handler = subs['']!
  else if (args[0] !== undefined && args[0] in subs) { handler = subs[args[0]]!; rest = args.slice(1) } else handler = Object.values(subs)[0]!
  try {
    return await handler(rest)
  } catch (err) {
    if (err instanceof AdminRequestError) {
      process.stderr.write(`casebridge ${command}: ${describeRequestError(usageTranslator(), err, urlOf(args))}\n`)
      return 1
    }
    throw err
  }
}

function optionOf (args: string[], name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : args.find(a => a.startsWith(`${name}=`))?.slice(name.length + 1)
}

function urlOf (args: string[]): string {
  return optionOf(args, '--url') ?? process.env.CASEBRIDGE_ADMIN_URL ?? DEMO_ADMIN_URL
}
