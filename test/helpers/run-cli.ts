import { spawn } from 'node:child_process'
import { projectRoot } from '../../src/paths.js'

/** Run `casebridge …` from source as a child process (stdout is a pipe, not a terminal). */
export async function runCli (args: readonly string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return await new Promise((resolve, reject) => {
    const env = { ...process.env, ...opts.env }
    delete env.CASEBRIDGE_ADMIN_URL
    delete env.CASEBRIDGE_ADMIN_TOKEN
    delete env.CASEBRIDGE_LOCALE
    Object.assign(env, opts.env)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: projectRoot, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
    child.stdin.end(opts.stdin ?? '')
  })
}
