import { hashToken } from '../admin/auth/tokens.js'
import { UsageError } from './operator-context.js'
import { parseOptions } from './command-line.js'
import { DEFAULT_LOCALE, isLocale, translator } from '../i18n/translate.js'

/**
 * `casebridge hash-token`: read a token on standard input and print its SHA-256 — the
 * value for `admin.tokens[].sha256`. The token never appears on a command line (where
 * `ps` and shell history would keep it); one trailing newline is not part of it.
 */
export async function hashTokenCommand (args: string[], input: NodeJS.ReadStream = process.stdin): Promise<number> {
  // Only --json: a mistyped option is refused rather than ignored (its token would still be hashed).
  const json = parseOptions(args, { json: { type: 'boolean' } }, false).values.json === true
  const env = process.env.CASEBRIDGE_LOCALE
  const t = translator(isLocale(env) ? env : DEFAULT_LOCALE)
  if (input.isTTY === true) process.stderr.write(t('cli.hashToken.prompt') + '\n')
  const chunks: Buffer[] = []
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer)
  const token = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
  if (token.trim() === '') throw new UsageError(t('cli.hashToken.empty'))
  const sha256 = hashToken(token)
  process.stdout.write(json ? JSON.stringify({ sha256 }) + '\n' : sha256 + '\n')
  return 0
}
