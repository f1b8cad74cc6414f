import type { FastifyInstance } from 'fastify'
import type { AdminDeps } from '../admin-deps.js'
import { InternalError, MappingFileError, UnreadableFileError } from '../../errors.js'
import { negotiateLocale, translator } from '../../i18n/translate.js'
import { describeMappingFileError } from '../../mapping/describe-mapping-error.js'
import { prepareMapping } from '../../mapping/load-mapping.js'
import { maskedReport, previewSample } from '../../pipeline/preview.js'
import { errorSchema, withErrors } from '../schemas.js'
import { findAgency } from './agency-routes.js'

/** A refused mapping text: the English message as everywhere, and the same in the caller's language. */
const mappingRefusedSchema = {
  ...errorSchema,
  properties: {
    ...errorSchema.properties,
    reason: { type: 'string', description: 'The problem (file:line:col: what is wrong) in the caller\'s Accept-Language, else in hub.locale.' },
  },
} as const

interface PreviewBody { agency: string; fileName: string; sample: string; sampleEncoding: 'text' | 'base64'; mapping?: string }

/**
 * POST /api/mappings/preview — `casebridge mapping test` over the API: map and validate a
 * posted sample export with an agency's mapping in use, or with a posted mapping text (to
 * try an edit before saving it; operator role at least). Nothing is written anywhere.
 * Viewers get the agency's mapping in use only, and the results masked. A sample is bounded by `admin.bodyLimitBytes`.
 */
export function registerMappingPreviewRoute (app: FastifyInstance, deps: AdminDeps): void {
  const mappings = deps.mappings
  if (mappings === undefined) return
  app.post<{ Body: PreviewBody }>('/api/mappings/preview', {
    config: { access: 'viewer' },
    schema: withErrors({
      operationId: 'previewMapping',
      tags: ['mappings'], summary: 'Map and validate a posted sample with an agency\'s mapping (or a posted mapping text); nothing is stored',
      body: {
        type: 'object', additionalProperties: false, required: ['agency', 'fileName', 'sample'],
        properties: {
          agency: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
          fileName: { type: 'string', minLength: 1, maxLength: 255, description: 'Its ending gives the format (.csv, .json, .ndjson, .xml) unless the mapping says.' },
          sample: { type: 'string', description: 'The sample file: text, or base64 for a non-UTF-8 export (GBK…).' },
          sampleEncoding: { enum: ['text', 'base64'], default: 'text' },
          mapping: { type: 'string', minLength: 1, description: 'A mapping file to try instead of the one in use (YAML text).' },
        },
      },
      response: {
        200: {
          type: 'object', required: ['mapping', 'sample', 'results', 'summary'],
          properties: {
            mapping: { type: 'object', additionalProperties: true },
            sample: { type: 'object', additionalProperties: true },
            results: { type: 'array', items: { type: 'object', additionalProperties: true, required: ['record', 'line', 'outcome'], properties: { record: { type: 'integer' }, line: { type: 'integer' }, outcome: { enum: ['valid', 'invalid', 'skipped'] } } } },
            summary: { type: 'object', required: ['records', 'valid', 'invalid', 'skipped'], properties: { records: { type: 'integer' }, valid: { type: 'integer' }, invalid: { type: 'integer' }, skipped: { type: 'integer' } } },
          },
        },
        422: mappingRefusedSchema,
      },
    }),
  }, async (req, reply) => {
    // A posted mapping runs its author's expressions and names files: not for viewers.
    if (req.body.mapping !== undefined && req.caller?.role === 'viewer') {
      return await reply.code(403).send({ statusCode: 403, error: 'forbidden', message: 'a posted mapping needs the operator role at least; a viewer may preview with the agency\'s mapping in use (leave out "mapping")' })
    }
    const agency = await findAgency(deps, req.body.agency, reply)
    if (agency === undefined) return reply
    const inUse = mappings.get(agency.id)?.current()
    if (inUse === undefined) throw new InternalError(`agency ${agency.id} has no mapping in this hub`)
    const bytes = req.body.sampleEncoding === 'base64' ? Buffer.from(req.body.sample, 'base64') : Buffer.from(req.body.sample, 'utf8')
    try {
      const mapping = req.body.mapping === undefined ? inUse : await prepareMapping(req.body.mapping, inUse.file, { agency: agency.id })
      const report = await previewSample(mapping, bytes, req.body.fileName)
      return req.caller?.role === 'viewer' ? maskedReport(report) : report
    } catch (err) {
      if (err instanceof MappingFileError) {
        const reason = describeMappingFileError(err, translator(negotiateLocale(req.headers['accept-language'], deps.hub.locale)))
        return await reply.code(422).send({ statusCode: 422, error: 'unprocessable', message: err.message, reason })
      }
      if (err instanceof UnreadableFileError) return await reply.code(422).send({ statusCode: 422, error: 'unprocessable', message: err.message })
      throw err
    }
  })
}
