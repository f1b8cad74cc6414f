import { CaseBridgeError } from '../errors.js'
import { maskText } from './mask.js'

/**
 * A failure as the status shows it (GET /api/agencies, `casebridge status`): its stable code,
 * its class and its message, with ID numbers, phone numbers and tokens masked and the
 * length bounded — it is kept in Redis and shown to every role, viewers included.
 */
export interface FailureNote {
  /** CB_ERR_… (CB_ERR_UNEXPECTED for an error that is not the hub's own). */
  readonly code: string
  /** The error's class, e.g. RemoteUnavailableError. */
  readonly error: string
  readonly message: string
  /** When it happened (ISO). */
  readonly at: string
}

/** Longest message kept: enough for "HTTP 500 from …: <start of the body>", not a whole page. */
const MAX_MESSAGE_CHARS = 300

export function failureNoteOf (err: unknown, atMs = Date.now()): FailureNote {
  const text = err instanceof Error ? err.message : String(err)
  const chars = [...maskText(text)]
  return {
    code: err instanceof CaseBridgeError ? err.code : 'CB_ERR_UNEXPECTED',
    error: err instanceof Error ? err.name : typeof err,
    message: chars.length > MAX_MESSAGE_CHARS ? `${chars.slice(0, MAX_MESSAGE_CHARS).join('')}…` : chars.join(''),
    at: new Date(atMs).toISOString(),
  }
}

/** A note read back from storage, or undefined when it is not one (an older hub's field, a broken value). */
export function parseFailureNote (text: string | undefined): FailureNote | undefined {
  if (text === undefined) return undefined
  try {
    const v = JSON.parse(text) as Partial<FailureNote> | null
    return typeof v?.code === 'string' && typeof v.error === 'string' && typeof v.message === 'string' && typeof v.at === 'string' ? { code: v.code, error: v.error, message: v.message, at: v.at } : undefined
  } catch {
    return undefined
  }
}
