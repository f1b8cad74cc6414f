import { loadConfig } from '../config/load-config.js'
import { loadMapping } from '../mapping/load-mapping.js'
import { builtInRegistry } from '../../adapters/index.js'
import { TokenTable } from '../admin/auth/tokens.js'

/** `casebridge check-config <file>`: the config and every mapping it names, checked without starting anything. */
export async function checkConfigCommand (file: string): Promise<number> {
  const config = await loadConfig(file, builtInRegistry())
  // Admin tokens must be hashes (a token pasted in clear is refused here, not at start).
  new TokenTable(config.admin.tokens)
  for (const agency of config.agencies) await loadMapping(agency.mapping, { agency: agency.id })
  process.stdout.write(`${config.file}: valid (${config.agencies.length} agencies, ${Object.keys(config.targets).length} targets)\n`)
  return 0
}
