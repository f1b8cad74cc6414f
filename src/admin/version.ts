import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../paths.js'

/** The hub's version, from package.json (shown by /api/hub and `casebridge_hub_info`). */
export const HUB_VERSION: string = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version
