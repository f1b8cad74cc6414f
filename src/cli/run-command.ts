import { loadConfig } from '../config/load-config.js'
import { createLogger } from '../logging/logger.js'
import { startHub, type Hub } from '../hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import { printPage } from './progress.js'

/** `casebridge run --config <file>`: run until SIGTERM/SIGINT, then stop gracefully. */
export async function runCommand (file: string): Promise<number> {
  const config = await loadConfig(file, builtInRegistry())
  const logger = createLogger({ level: config.logging.level, name: config.hub.name })
  const hub = await startHub({ config, registry: builtInRegistry(), logger, ...(config.hub.progress ? { onPage: printPage } : {}) })
  await untilStopped(hub, logger)
  return 0
}

/**
 * Resolve after a graceful stop on the first SIGTERM/SIGINT: pulls finish their current
 * page, active pushes complete, connections close. A second signal exits at once.
 */
export async function untilStopped (hub: Hub, logger: { info: (msg: string) => void }, extraClose: () => Promise<void> = async () => {}): Promise<void> {
  await new Promise<void>(resolve => {
    let stopping = false
    const stop = (signal: string): void => {
      if (stopping) {
        logger.info(`${signal} again: exiting without waiting`)
        process.exit(130)
      }
      stopping = true
      logger.info(`${signal}: stopping gracefully (finishing in-flight work)`)
      hub.close().then(extraClose).then(() => { logger.info('stopped'); resolve() }, () => resolve())
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
  })
}
