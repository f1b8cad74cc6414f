import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InternalError } from './errors.js'

/**
 * The project root (where package.json names `casebridge`). Code runs both from `src/`
 * (tsx, tests) and from `dist/src/` (built), so schemas and mappings are found by walking
 * up rather than by a fixed relative path.
 */
function findRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'casebridge') return dir
    const parent = dirname(dir)
    if (parent === dir) throw new InternalError('casebridge: cannot find the project root (package.json) above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

export const projectRoot = findRoot()
export const schemaPath = (name: string): string => join(projectRoot, 'schemas', name)
