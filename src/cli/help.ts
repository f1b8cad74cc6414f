/**
 * `casebridge help [command]`, `casebridge --help`, `casebridge <command> --help`: the
 * commands, what each does and takes, and one table of exit codes for all of them — in
 * the operator's language. The synopsis lines are command syntax (the same in every
 * language); what they mean comes from the message catalogues.
 */
import { listOf, type MessageKey, type Translate } from '../i18n/translate.js'
import { nearest } from './suggest.js'
import { displayWidth, renderTable } from './table.js'

interface CommandHelp {
  /** Synopsis lines: command syntax, not translated. */
  readonly synopsis: readonly string[]
  /** What the command does and what its options mean. */
  readonly text: MessageKey
  /** Its rows of the exit-code table. */
  readonly exits: readonly ExitGroup[]
}

type ExitGroup = 'hub' | 'check' | 'mapping' | 'profile' | 'direct' | 'operator' | 'hashToken' | 'help'

const CONNECTION = '[--url U] [--token T] [--json]'

/** Every command, in the order `casebridge help` lists them. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  demo: { synopsis: ['casebridge demo [--records N] [--live] [--platform canonical|province|table]', '                [--agency-port P] [--platform-port P] [--admin-port P] [--key-prefix K] [--work-dir D]'], text: 'help.demo', exits: ['hub'] },
  run: { synopsis: ['casebridge run --config <file>'], text: 'help.run', exits: ['hub'] },
  'check-config': { synopsis: ['casebridge check-config <file> [--no-env] [--json]'], text: 'help.checkConfig', exits: ['check'] },
  mapping: { synopsis: ['casebridge mapping test <mapping.yaml> <sample-file> [--json] [--invalid-only] [--show-personal]'], text: 'help.mapping', exits: ['mapping'] },
  profile: { synopsis: ['casebridge profile test <profile.yaml> <canonical.json> [--json] [--show-personal]', 'casebridge profile test <profile.yaml> --mapping <mapping.yaml> <sample-file> [--json] [--show-personal]'], text: 'help.profile', exits: ['profile'] },
  status: { synopsis: [`casebridge status ${CONNECTION}`], text: 'help.status', exits: ['operator'] },
  quarantine: { synopsis: [`casebridge quarantine [list] [--agency X] [--limit N] ${CONNECTION}`, `casebridge quarantine discard [--agency X] <record…> | --all ${CONNECTION}`, 'casebridge quarantine retry --agency X [--config <file>] [--json]'], text: 'help.quarantine', exits: ['operator', 'direct'] },
  'dead-letters': { synopsis: [`casebridge dead-letters [list] [--agency X] [--limit N] ${CONNECTION}`, `casebridge dead-letters retry [--agency X] [case…] ${CONNECTION}`, `casebridge dead-letters discard [--agency X] <case…> | --all ${CONNECTION}`], text: 'help.deadLetters', exits: ['operator'] },
  sync: { synopsis: [`casebridge sync [--agency X] [--no-wait] ${CONNECTION}`], text: 'help.sync', exits: ['operator'] },
  completeness: { synopsis: [`casebridge completeness [--agency X] ${CONNECTION}`], text: 'help.completeness', exits: ['operator'] },
  supervision: { synopsis: [`casebridge supervision [--agency X] [--since DATE] ${CONNECTION}`], text: 'help.supervision', exits: ['operator'] },
  alarms: { synopsis: [`casebridge alarms [--agency X] [--state active|open|acknowledged|resolved|all] ${CONNECTION}`], text: 'help.alarms', exits: ['operator'] },
  ack: { synopsis: [`casebridge ack --agency X --kind K [--note TEXT] ${CONNECTION}`], text: 'help.ack', exits: ['operator'] },
  reconcile: { synopsis: [`casebridge reconcile [--agency X] [--repair] [--full-listing] ${CONNECTION}`, 'casebridge reconcile --config <file> --agency X [--repair] [--full-listing] [--json]'], text: 'help.reconcile', exits: ['operator', 'direct'] },
  pause: { synopsis: [`casebridge pause [--agency X] ${CONNECTION}`], text: 'help.pause', exits: ['operator'] },
  resume: { synopsis: [`casebridge resume [--agency X] ${CONNECTION}`], text: 'help.resume', exits: ['operator'] },
  'clear-retries': { synopsis: [`casebridge clear-retries [--agency X] ${CONNECTION}`], text: 'help.clearRetries', exits: ['operator'] },
  'hash-token': { synopsis: ['casebridge hash-token [--json] < token-file'], text: 'help.hashToken', exits: ['hashToken'] },
  feedback: { synopsis: [`casebridge feedback [list] [--agency X] ${CONNECTION}`, `casebridge feedback retry --agency X [decision-id…] ${CONNECTION}`], text: 'help.feedback', exits: ['operator'] },
  trace: { synopsis: [`casebridge trace [--agency X] <case> ${CONNECTION}`, `casebridge trace --verify [--agency X] ${CONNECTION}`, `casebridge trace --replay [--agency X] <case> ${CONNECTION}`], text: 'help.trace', exits: ['operator'] },
  help: { synopsis: ['casebridge help [<command>]', 'casebridge <command> --help'], text: 'help.help', exits: ['help'] },
  findings: { synopsis: [`casebridge findings [--agency X] [--kind K] ${CONNECTION}`], text: 'help.findings', exits: ['operator'] },
}

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMAND_HELP)

export function isCommand (name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(COMMAND_HELP, name)
}

/** Which commands each row of the exit-code table covers. */
const EXIT_ROWS: readonly { readonly group: ExitGroup; readonly commands: readonly string[] }[] = [
  { group: 'operator', commands: ['status', 'sync', 'completeness', 'supervision', 'alarms', 'ack', 'reconcile', 'quarantine [list|discard]', 'dead-letters', 'pause', 'resume', 'clear-retries', 'findings', 'feedback', 'trace'] },
  { group: 'direct', commands: ['reconcile --config', 'quarantine retry'] },
  { group: 'check', commands: ['check-config'] },
  { group: 'mapping', commands: ['mapping test'] },
  { group: 'profile', commands: ['profile test'] },
  { group: 'hub', commands: ['run', 'demo'] },
  { group: 'hashToken', commands: ['hash-token'] },
  { group: 'help', commands: ['help', '--help'] },
]

interface TableLine { readonly commands: string; readonly group?: ExitGroup }

/** A row's command list on lines of at most `width` columns; the meanings stand on its first line. */
function tableLines (t: Translate, row: typeof EXIT_ROWS[number], width = 40): TableLine[] {
  const lines: string[][] = []
  for (const name of row.commands) {
    const last = lines.at(-1)
    if (last !== undefined && displayWidth(listOf(t, [...last, name])) <= width) last.push(name)
    else lines.push([name])
  }
  return lines.map((names, i) => ({ commands: listOf(t, names), ...(i === 0 ? { group: row.group } : {}) }))
}


/** The one exit-code table: every command's meaning of 0, 1 and 2. */
export function exitCodeTable (t: Translate): string {
  const cell = (line: TableLine, code: 0 | 1 | 2): string => (line.group === undefined ? '' : t(`help.exit.${line.group}.${code}`))
  return [
    t('help.exit.title'),
    renderTable<TableLine>([
      { header: t('help.exit.command'), value: r => r.commands, max: 200 },
      { header: '0', value: r => cell(r, 0), max: 200 },
      { header: '1', value: r => cell(r, 1), max: 200 },
      { header: '2', value: r => cell(r, 2), max: 200 },
    ], EXIT_ROWS.flatMap(row => tableLines(t, row))),
    t('help.exit.signal'),
  ].join('\n')
}

/** `casebridge help`: every command's synopsis and first line, the shared options, the exit codes. */
export function generalHelp (t: Translate): string {
  const lines = [t('help.title'), '', t('help.commands')]
  for (const help of Object.values(COMMAND_HELP)) lines.push(`  ${help.synopsis[0]!}`, `      ${t(help.text).split('\n')[0]!}`)
  lines.push('', t('help.shared'), '', exitCodeTable(t))
  return lines.join('\n') + '\n'
}

/** `casebridge help <command>`: its synopsis, what it does and takes, the shared options, its exit codes. */
export function commandHelp (t: Translate, name: string): string {
  const help = COMMAND_HELP[name]!
  return [
    ...help.synopsis,
    '',
    t(help.text),
    '',
    t('help.shared'),
    '',
    ...help.exits.map(group => t('help.exit.ofCommand', { commands: listOf(t, EXIT_ROWS.find(r => r.group === group)!.commands), zero: t(`help.exit.${group}.0`), one: t(`help.exit.${group}.1`), two: t(`help.exit.${group}.2`) })),
  ].join('\n') + '\n'
}

/** An unknown command, with the nearest known one when it looks like a typo. */
export function unknownCommand (t: Translate, typed: string): string {
  const near = nearest(typed, COMMAND_NAMES)
  return t(near === undefined ? 'cli.usage.unknownCommand' : 'cli.usage.unknownCommandNear', { command: typed, near: near ?? '' })
}
