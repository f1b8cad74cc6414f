import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Delivery {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The X-CaseBridge-Signature header matched an HMAC-SHA256 of the body with the secret. */
  readonly signatureValid: boolean
  readonly json: { id: string; event: string; alarm: { agencyId: string; kind: string; state: string; count: number; samples: string[]; severity: string; detail?: Record<string, unknown> } ; title: string; description: string }
}

export interface WebhookReceiver {
  readonly url: string
  readonly deliveries: Delivery[]
  /** Requests answered with a failure status so far. */
  failed (): number
  /** Answer the next `n` requests with `status` instead of 204 (to exercise retries). */
  failNext (n: number, status: number): void
  close (): Promise<void>
}

/**
 * A real HTTP webhook receiver on port 0 that checks each notification's signature the way
 * a receiver should: HMAC-SHA256 of the raw body with the shared secret, compared in
 * constant time.
 */
export async function startWebhookReceiver (t: { teardown: (fn: () => Promise<void>) => void }, secret: string): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = []
  let failing = 0
  let failedCount = 0
  let failStatus = 500
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (failing > 0) {
        failing--
        failedCount++
        res.writeHead(failStatus).end()
        return
      }
      const body = Buffer.concat(chunks).toString('utf8')
      // As config/README.md tells receivers: the signature covers "<timestamp>.<body>", and the timestamp must be within the replay window.
      const timestamp = String(req.headers['x-casebridge-timestamp'] ?? '')
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`)
      const given = Buffer.from(String(req.headers['x-casebridge-signature'] ?? ''))
      const fresh = /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300
      deliveries.push({ headers: req.headers, body, signatureValid: fresh && given.length === expected.length && timingSafeEqual(given, expected), json: JSON.parse(body) as Delivery['json'] })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/casebridge-alarms`,
    deliveries,
    failed: () => failedCount,
    failNext (n, status) { failing = n; failStatus = status },
    close: async () => { await new Promise<void>(resolve => server.close(() => resolve())) },
  }
  t.teardown(receiver.close)
  return receiver
}
