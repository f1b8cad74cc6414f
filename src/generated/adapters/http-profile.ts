// generated from schemas/adapters/http-profile.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Target adapter `http-profile`: any HTTP platform described by a target profile (mappings/profiles/…yaml) — its record, envelope, authentication, answer codes and listing.
 */
export interface HttpProfileTargetConfig {
  kind: 'http-profile'
  /**
   * Base URL of the platform; the profile gives the paths.
   */
  baseUrl: string
  /**
   * The target profile file, relative to the config file's folder or absolute.
   */
  profile: string
  /**
   * Time allowed for one request.
   */
  timeoutMs?: number
  /**
   * Keep-alive connections to the platform.
   */
  connections?: number
  /**
   * How often the profile file is checked for edits (hot reload; a broken edit keeps the last good version).
   */
  profilePollMs?: number
}
