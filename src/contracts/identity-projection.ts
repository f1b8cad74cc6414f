import { fingerprint } from './fingerprint.js'
import type { TargetProjection } from './projection.js'

/** The projection of a target without a profile: the platform holds the canonical case as it is. */
export const identityProjection: TargetProjection = {
  version: 'canonical',
  project: c => ({ kind: 'record', record: Object.fromEntries(Object.entries(c)), fingerprint: fingerprint(c) }),
}
