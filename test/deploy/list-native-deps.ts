/** `npm run deps:native`: the production dependencies that carry native code or binaries (test/deploy/native-deps.ts). */
import { projectRoot } from '../../src/paths.js'
import { nativeProductionDependencies, productionPackageDirs } from './native-deps.js'

const findings = nativeProductionDependencies(projectRoot)
const total = productionPackageDirs(projectRoot).length
process.stdout.write(`${total} production packages; ${total - findings.length} pure JavaScript, ${findings.length} with native code or binaries:\n`)
for (const f of findings) process.stdout.write(`  ${f.name}@${f.version}  ${f.marks.join('; ')}${f.optionalDependencies.length > 0 ? `  (optional: ${f.optionalDependencies.join(', ')})` : ''}\n`)
