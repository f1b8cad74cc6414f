import { spawn, type ChildProcess } from 'node:child_process'
import { projectRoot } from '../../src/paths.js'

export interface HubProcess {
  readonly child: ChildProcess
  /** Resolves once the hub logged "hub started". */
  readonly started: Promise<void>
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output (): string
  /** The admin API's address, from the "hub started" log line (once started). */
  adminUrl (): string
}

/**
 * The hub as a separate process (`casebridge run --config …`), run from source through
 * tsx so the test always exercises the current code; for tests that kill it.
 */
export function spawnHub (configFile: string, env: NodeJS.ProcessEnv, opts: { clockSkewMs?: number } = {}): HubProcess {
  // A skewed clock: this hub behaves as if on a host whose clock is off (test/helpers/clock-skew.ts).
  const skew = opts.clockSkewMs === undefined ? [] : ['--import', './test/helpers/clock-skew.ts']
  const child = spawn(process.execPath, ['--import', 'tsx', ...skew, 'src/cli/main.ts', 'run', '--config', configFile], {
    cwd: projectRoot, env: opts.clockSkewMs === undefined ? env : { ...env, CASEBRIDGE_TEST_CLOCK_SKEW_MS: String(opts.clockSkewMs) }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  const started = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('"msg":"hub started"')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    void exited.then(({ code, signal }) => reject(new Error(`hub exited (code ${code}, signal ${signal}) before starting:\n${output.slice(-3000)}`)))
  })
  started.catch(() => undefined)
  const adminUrl = (): string => {
    const m = /"msg":"hub started"[^\n]*|[^\n]*"msg":"hub started"/.exec(output)
    const url = m === null ? undefined : /"admin":"(http:\/\/[^"]+)"/.exec(m[0])?.[1]
    if (url === undefined) throw new Error('the hub has not logged its admin address yet (await started first)')
    return url
  }
  return { child, started, exited, output: () => output, adminUrl }
}
