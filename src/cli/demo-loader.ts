import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DemoMissingError } from '../errors.js'

/** What `casebridge demo` needs of the demo (fixtures/demo/run-demo.ts), which the product does not ship. */
export interface DemoModule {
  runDemo (opts: {
    readonly records?: number
    readonly live?: boolean
    readonly agencyPort?: number
    readonly platformPort?: number
    readonly adminPort?: number
    readonly keyPrefix?: string
    readonly workDir?: string
    readonly platform?: 'canonical' | 'province' | 'table'
  }): Promise<number>
}

/**
 * The demo and its simulators are built beside the product only in a source checkout
 * (`npm run build`), not in the product build (`npm run build:product`: the container image
 * and the offline bundle). It is found at run time, by a path the compiler does not follow,
 * so that the product build compiles none of it.
 */
export async function loadDemo (): Promise<DemoModule> {
  // dist/src/cli/demo-loader.js (or src/cli/demo-loader.ts under tsx) → fixtures/demo/run-demo.js (.ts)
  const own = fileURLToPath(import.meta.url)
  const extension = own.endsWith('.ts') ? '.ts' : '.js'
  const target = new URL(`../../fixtures/demo/run-demo${extension}`, import.meta.url)
  if (!existsSync(fileURLToPath(target))) {
    throw new DemoMissingError('the demo is not part of this build (the product build ships the hub alone, without the simulators): run it from a source checkout with "npm ci && npm start"')
  }
  return await import(target.href) as DemoModule
}
