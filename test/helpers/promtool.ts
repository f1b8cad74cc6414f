import { spawn } from 'node:child_process'

/**
 * Run Prometheus's `promtool` with `args`, feeding `stdin`. promtool is not optional for
 * the tests that use it: when it is missing they fail and say how to get it, never skip.
 */
export async function promtool (args: readonly string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    child.on('error', err => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error('promtool is not installed: .ci/run installs it (Debian package "prometheus": apt-get install -y prometheus)'))
      else reject(err)
    })
    child.on('close', code => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })
}
