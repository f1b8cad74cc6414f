/**
 * Which production dependencies carry native code or platform-specific binaries, read from
 * node_modules: a binding.gyp or `gypfile` (a C/C++ addon compiled at install), compiled
 * `*.node` files, `os`/`cpu` fields (a prebuilt package for one platform), install scripts.
 * The rest is pure JavaScript and runs on any CPU Node.js runs on (ARM64 included).
 * `npm run deps:native` prints the table; test/deploy/native-deps.test.ts holds the docs to it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface NativeFinding {
  readonly name: string
  readonly version: string
  /** Where it sits below the project root (node_modules/…). */
  readonly path: string
  /** What makes it native, in words ("binding.gyp", "prebuilt for linux/x64", "install script"…). */
  readonly marks: readonly string[]
  /** Its optional dependencies: a native package is usually an optional accelerator of another. */
  readonly optionalDependencies: readonly string[]
}

interface PackageJson { name: string; version: string; gypfile?: boolean; os?: string[]; cpu?: string[]; scripts?: Record<string, string>; optionalDependencies?: Record<string, string> }

/** The production dependency tree's package folders, as npm resolved it (the root excluded). */
export function productionPackageDirs (root: string): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return [...new Set(out.trim().split('\n').slice(1))].sort()
}

/** Files below `dir` whose name passes `match`, not descending into nested node_modules. */
function filesNamed (dir: string, match: (name: string) => boolean): string[] {
  const found: string[] = []
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) { if (entry.name !== 'node_modules') walk(join(at, entry.name)) } else if (match(entry.name)) found.push(relative(dir, join(at, entry.name)))
    }
  }
  walk(dir)
  return found
}

/** What in one package folder makes it native; empty for pure JavaScript. */
export function nativeMarks (dir: string): { pkg: PackageJson; marks: string[] } {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
  const marks: string[] = []
  const gyp = filesNamed(dir, n => n === 'binding.gyp')
  if (gyp.length > 0 || pkg.gypfile === true) marks.push(`C/C++ addon source (${gyp.length > 0 ? gyp.join(', ') : 'gypfile'})`)
  const binaries = filesNamed(dir, n => n.endsWith('.node'))
  if (binaries.length > 0) marks.push(`compiled binaries (${binaries.length} *.node)`)
  if (pkg.os !== undefined || pkg.cpu !== undefined) marks.push(`prebuilt for ${(pkg.os ?? ['any']).join(',')}/${(pkg.cpu ?? ['any']).join(',')}`)
  const install = Object.keys(pkg.scripts ?? {}).filter(s => /^(pre|post)?install$/.test(s))
  if (install.length > 0) marks.push(`install script (${install.join(', ')})`)
  return { pkg, marks }
}

/** Every production dependency with native code or binaries below `root`'s node_modules. */
export function nativeProductionDependencies (root: string): NativeFinding[] {
  const findings: NativeFinding[] = []
  for (const dir of productionPackageDirs(root)) {
    if (!existsSync(join(dir, 'package.json'))) continue
    const { pkg, marks } = nativeMarks(dir)
    if (marks.length === 0) continue
    findings.push({ name: pkg.name, version: pkg.version, path: relative(root, dir), marks, optionalDependencies: Object.keys(pkg.optionalDependencies ?? {}) })
  }
  return findings
}
