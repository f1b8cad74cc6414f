import type { FastifyInstance } from 'fastify'
import { BadRequestError } from '../errors.js'

/** An error fastify answers with its `statusCode` (the admin error handler words it). */
function badRequest (message: string): BadRequestError {
  return new BadRequestError(message)
}

/**
 * Request bodies of the admin API: JSON only. fastify's text/plain parser is removed, so
 * any other content type is answered 415 instead of reaching a route as a string; JSON is
 * parsed here so that each refusal says what was wrong — not valid JSON (with the parser's
 * reason), or a "__proto__" key, or "constructor" holding "prototype", which are refused
 * outright wherever they stand (JSON.parse would keep them as harmless own keys, but no
 * admin request has them, and code further on must never have to think about them).
 */
export function installJsonBody (app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string
    if (text.trim() === '') { done(badRequest('the body is empty but content-type says application/json; send a JSON object, or no content-type'), undefined); return }
    try {
      done(null, JSON.parse(text, (key, value: unknown) => {
        if (key === '__proto__') throw badRequest('the body holds a "__proto__" key; such keys are refused (prototype pollution)')
        if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) throw badRequest('the body holds "constructor" with a "prototype" key; such keys are refused (prototype pollution)')
        return value
      }))
    } catch (err) {
      done((err as { statusCode?: number }).statusCode === 400 ? err as Error : badRequest(`the body is not valid JSON (${(err as Error).message})`), undefined)
    }
  })
}
