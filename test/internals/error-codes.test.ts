/**
 * Errors in one place, each with a stable code: nothing in src or adapters throws a bare
 * `Error` (or a plain object), every error class is declared in src/errors.ts, and each
 * exported class there has its own `CB_ERR_…` code and a family. The codes are pinned: a
 * code is part of what operators, logs and alarms see, so changing one is a decision made
 * here, in this list, not by accident. Read from the sources, so anyone can run it:
 * `npx tap test/internals/error-codes.test.ts`.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import * as errors from '../../src/errors.js'
import { CaseBridgeError, type ErrorFamily } from '../../src/errors.js'

function sources (dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => relative(projectRoot, join(e.parentPath, e.name)))
}

const files = [...sources('src'), ...sources('adapters')]

/** Every line of `files` matching `pattern`, as "file:line: text". */
function linesMatching (pattern: RegExp, skip: (file: string) => boolean = () => false): string[] {
  const found: string[] = []
  for (const file of files) {
    if (skip(file)) continue
    readFileSync(join(projectRoot, file), 'utf8').split('\n').forEach((line, i) => {
      if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`)
    })
  }
  return found
}

t.test('the scan reads the whole product', async t => {
  t.ok(files.includes('src/errors.ts'), 'src/errors.ts is among the scanned files')
  t.ok(files.some(f => f.startsWith('adapters/')), 'adapters are scanned too')
  t.ok(files.length > 100, `${files.length} files scanned`)
})

t.test('nothing in src or adapters creates a bare Error: each throw is a typed class with a code', async t => {
  t.same(linesMatching(/\bnew Error\(/), [])
})

t.test('nothing in src or adapters throws a plain object as an error, except JSONata\'s own errors re-created by the expression guard', async t => {
  // The guarded `&` throws what JSONata's own `&` would (code D3001), so the record's problem reads the same.
  const jsonataOwn = /\bthrow\s*\{\s*code:\s*'D\d{4}'/
  const thrown = linesMatching(/\bthrow\s*\{/)
  t.same(thrown.filter(l => !jsonataOwn.test(l)), [])
  t.ok(thrown.every(l => l.startsWith('src/mapping/expression-guard.ts:')), 'only the expression guard re-creates JSONata errors')
})

t.test('every error class is declared in src/errors.ts, and only CaseBridgeError extends Error itself', async t => {
  t.same(linesMatching(/\bclass\s+\w+\s+extends\s+\w*Error\b/, f => f === 'src/errors.ts'), [])
  const direct = linesMatching(/\bclass\s+\w+\s+extends\s+Error\b/).map(l => l.replace(/:\d+:.*$/, ''))
  t.same(direct, ['src/errors.ts'])
})

/** Arguments of the constructors that do not take a message first (a MappingFileError takes its position and its text). */
const CONSTRUCTED_WITH: Readonly<Record<string, unknown[]>> = { MappingFileError: ['file:1:1', 'message'] }

/** Each exported error class of src/errors.ts, built once to read its code and family (every other constructor accepts these arguments). */
const classes = Object.entries(errors).flatMap(([name, value]) => {
  if (typeof value !== 'function' || !(value.prototype instanceof CaseBridgeError)) return []
  const instance = Reflect.construct(value, CONSTRUCTED_WITH[name] ?? ['message', []]) as CaseBridgeError
  return [{ name, code: instance.code, family: instance.family, instance }]
})

/** The codes the hub has: changing, removing or adding one is done here on purpose. */
const PINNED: Readonly<Record<string, string>> = {
  AdminRequestError: 'CB_ERR_ADMIN_REQUEST',
  AlarmStateError: 'CB_ERR_ALARM_STATE',
  BadRequestError: 'CB_ERR_BAD_REQUEST',
  ConfigError: 'CB_ERR_CONFIG',
  ProfileFileError: 'CB_ERR_PROFILE_FILE',
  ProfileSecretError: 'CB_ERR_PROFILE_SECRET',
  TargetAuthError: 'CB_ERR_TARGET_AUTH',
  DemoMissingError: 'CB_ERR_DEMO_MISSING',
  DuplicateAdapterError: 'CB_ERR_DUPLICATE_ADAPTER',
  ExpressionLimitError: 'CB_ERR_EXPRESSION_LIMIT',
  ExpressionRefusedError: 'CB_ERR_EXPRESSION_REFUSED',
  FileAccessDeniedError: 'CB_ERR_FILE_ACCESS_DENIED',
  FileVanishedError: 'CB_ERR_FILE_VANISHED',
  HostKeyMismatchError: 'CB_ERR_HOST_KEY_MISMATCH',
  InternalError: 'CB_ERR_INTERNAL',
  JobTimeoutError: 'CB_ERR_JOB_TIMEOUT',
  MappingFileError: 'CB_ERR_MAPPING_FILE',
  PullLeaseLostError: 'CB_ERR_PULL_LEASE_LOST',
  RateLimitedError: 'CB_ERR_RATE_LIMITED',
  ReconcileBusyError: 'CB_ERR_RECONCILE_BUSY',
  RecordRejectedError: 'CB_ERR_RECORD_REJECTED',
  RedisAuthError: 'CB_ERR_REDIS_AUTH',
  RedisPolicyError: 'CB_ERR_REDIS_POLICY',
  RedisUnavailableError: 'CB_ERR_REDIS_UNAVAILABLE',
  RemoteRefusedError: 'CB_ERR_REMOTE_REFUSED',
  RemoteUnavailableError: 'CB_ERR_REMOTE_UNAVAILABLE',
  ReprocessBusyError: 'CB_ERR_REPROCESS_BUSY',
  RetryableRecordsError: 'CB_ERR_RETRYABLE_RECORDS',
  SchemaDefinitionError: 'CB_ERR_SCHEMA_DEFINITION',
  TargetDigestsUnsupportedError: 'CB_ERR_TARGET_DIGESTS_UNSUPPORTED',
  UnknownAdapterError: 'CB_ERR_UNKNOWN_ADAPTER',
  UnknownAgencyError: 'CB_ERR_UNKNOWN_AGENCY',
  UnreadableFileError: 'CB_ERR_UNREADABLE_FILE',
  UsageError: 'CB_ERR_USAGE',
  WebhookRejectedError: 'CB_ERR_WEBHOOK_REJECTED',
  XmlStructureError: 'CB_ERR_XML_STRUCTURE',
  YamlSyntaxError: 'CB_ERR_YAML_SYNTAX',
}

t.test('every exported error class of src/errors.ts has its own stable CB_ERR_ code and a family', async t => {
  const families: readonly ErrorFamily[] = ['retriable', 'fatal', 'skippable', 'config']
  t.ok(classes.length >= 30, `${classes.length} error classes found`)
  for (const c of classes) {
    t.match(c.code, /^CB_ERR_[A-Z0-9_]+$/, `${c.name}: code ${c.code}`)
    t.ok(families.includes(c.family), `${c.name}: family ${c.family}`)
    t.equal(c.instance.name, c.name, `${c.name}: the error's name is its class`)
    t.ok(c.instance instanceof Error, `${c.name} is an Error`)
  }
  const byCode = new Map<string, string[]>()
  for (const c of classes) byCode.set(c.code, [...byCode.get(c.code) ?? [], c.name])
  t.same([...byCode].filter(([, names]) => names.length > 1), [], 'no two classes share a code')
  t.same(Object.fromEntries([...classes].sort((a, b) => a.name.localeCompare(b.name)).map(c => [c.name, c.code])), PINNED, 'the codes are the pinned ones')
})

t.test('the retry decision comes from the family: retriable errors and unknown failures are retried, the others are not', async t => {
  for (const c of classes) t.equal(errors.isRetriable(c.instance), c.family === 'retriable', `${c.name} (${c.family})`)
  t.equal(errors.isRetriable(new TypeError('a library failed')), true, 'an error of no CaseBridge class is taken as passing')
})
