import t from 'tap'
import { runCli } from '../helpers/run-cli.js'
import { editDistance, nearest } from '../../src/cli/suggest.js'
import { COMMAND_NAMES, commandHelp, exitCodeTable, generalHelp } from '../../src/cli/help.js'
import { translator } from '../../src/i18n/translate.js'

const STACK = /\n\s+at /

t.test('a typo finds the name it was meant to be, and a wild guess finds none', async t => {
  t.equal(editDistance('stauts', 'status'), 1, 'a swap of neighbours is one edit')
  t.equal(editDistance('', 'ack'), 3)
  t.equal(nearest('stauts', COMMAND_NAMES), 'status')
  t.equal(nearest('agnecy', ['agency', 'url', 'token']), 'agency')
  t.equal(nearest('recon', COMMAND_NAMES), 'reconcile', 'the start of exactly one name')
  t.equal(nearest('zzzzzz', COMMAND_NAMES), undefined)
})

t.test('help lists every command and one exit-code table that covers each of them, in both languages', async t => {
  for (const locale of ['zh-CN', 'en'] as const) {
    const tr = translator(locale)
    const text = generalHelp(tr)
    for (const name of COMMAND_NAMES) t.match(text, `casebridge ${name}`, `${locale}: ${name} is listed`)
    const table = exitCodeTable(tr)
    for (const name of COMMAND_NAMES.filter(n => n !== 'help')) t.match(table, new RegExp(`(^|\\n|, |、)${name}\\b`), `${locale}: ${name} has its exit codes`)
    t.match(table, /profile test\s+\S/, `${locale}: profile test has its row`)
    for (const name of COMMAND_NAMES) t.match(commandHelp(tr, name), /^casebridge /, `${locale}: ${name} has its own help`)
  }
  t.match(exitCodeTable(translator('en')), /profile test\s+every case can be sent\s+a case would be held, the sample has invalid records, or the input cannot be read\s+usage mistake, invalid profile file/, 'profile test keeps 2 = usage/invalid, 1 = runtime failure or invalid records')
})

t.test('help, --help, <command> --help and help <command> all answer with help, in the operator\'s language', async t => {
  const general = await runCli(['help'])
  t.equal(general.code, 0)
  t.match(general.stdout, '退出码：', 'zh-CN by default')
  t.match(general.stdout, '命令（查看单个命令：casebridge help <命令>）：')
  const dashed = await runCli(['--help'])
  t.equal(dashed.code, 0)
  t.equal(dashed.stdout, general.stdout, '--help is help')
  const none = await runCli([])
  t.equal(none.code, 2, 'no command at all is a usage mistake')
  t.equal(none.stdout, general.stdout, 'which shows the help')

  for (const args of [['--lang', 'en', 'help'], ['help', '--lang', 'en'], ['--lang=en', '--help']]) {
    const r = await runCli(args)
    t.equal(r.code, 0, `${args.join(' ')} exits 0 ${r.stderr}`)
    t.match(r.stdout, 'Exit codes:', `${args.join(' ')}: English`)
  }
  const byEnv = await runCli(['help'], { env: { CASEBRIDGE_LOCALE: 'en' } })
  t.match(byEnv.stdout, 'Exit codes:', 'CASEBRIDGE_LOCALE=en gives English')

  for (const command of ['status', 'run', 'demo', 'profile', 'sync']) {
    const a = await runCli([command, '--help'])
    const b = await runCli(['help', command])
    t.equal(a.code, 0, `${command} --help exits 0`)
    t.notMatch(a.stderr, STACK, `${command} --help prints no stack trace`)
    t.equal(a.stdout, b.stdout, `${command} --help is help ${command}`)
    t.match(a.stdout, new RegExp(`^casebridge ${command}`), `${command}: its own synopsis first`)
    t.match(a.stdout, '退出码（', `${command}: its exit codes`)
  }
  const en = await runCli(['sync', '-h', '--lang', 'en'])
  t.match(en.stdout, 'Pull an agency now and follow the pull to its end', 'per-command help in English')
})

t.test('an unknown command or option is named, with the nearest known one, exit 2 and no stack trace', async t => {
  const typo = await runCli(['stauts'])
  t.equal(typo.code, 2)
  t.match(typo.stderr, '未知命令“stauts”；您是否想输入“status”？全部命令：casebridge help')
  t.notMatch(typo.stderr, /\bdemo\b/, 'not the whole usage')
  const far = await runCli(['--lang', 'en', 'frobnicate'])
  t.equal(far.code, 2)
  t.match(far.stderr, 'unknown command "frobnicate"; the commands: casebridge help')
  t.notMatch(far.stderr, 'did you mean', 'no wild guess')

  const option = await runCli(['sync', '--agnecy', 'x', '--lang', 'en'])
  t.equal(option.code, 2)
  t.match(option.stderr, 'casebridge sync: unknown option --agnecy; did you mean --agency?')
  t.match(option.stderr, 'see casebridge help sync')
  const zh = await runCli(['run', '--confg', 'x.yaml'])
  t.equal(zh.code, 2)
  t.match(zh.stderr, '未知选项 --confg；您是否想输入 --config？')
  const value = await runCli(['demo', '--records'])
  t.equal(value.code, 2)
  t.match(value.stderr, '选项 --records 需要一个值')
  const sub = await runCli(['dead-letters', 'retyr'])
  t.equal(sub.code, 2)
  t.match(sub.stderr, 'dead-letters 没有子命令“retyr”；您是否想输入“retry”？（可用：list、retry、discard）', 'a mistyped subcommand is named, not taken for an unknown command')
  const badLang = await runCli(['status', '--lang', 'fr'])
  t.equal(badLang.code, 2)
  t.match(badLang.stderr, '未知语言“fr”')
  for (const r of [typo, far, option, zh, value, sub, badLang]) t.notMatch(r.stderr, STACK, 'no stack trace')
})

t.test('run takes its configuration file from CASEBRIDGE_CONFIG when --config is not given, as the image, compose and the systemd unit set it', async t => {
  const missing = '/nonexistent/casebridge-hub.yaml'
  const fromEnv = await runCli(['run', '--lang', 'en'], { env: { CASEBRIDGE_CONFIG: missing } })
  t.equal(fromEnv.code, 2, 'an unreadable configuration is exit 2')
  t.match(fromEnv.stderr, missing, 'the file CASEBRIDGE_CONFIG names is the one read')
  t.notMatch(fromEnv.stderr, STACK)
  const neither = await runCli(['run', '--lang', 'en'], { env: { CASEBRIDGE_CONFIG: '' } })
  t.equal(neither.code, 2)
  t.match(neither.stderr, /run needs --config <file> \(or CASEBRIDGE_CONFIG naming the file\)/)
})
