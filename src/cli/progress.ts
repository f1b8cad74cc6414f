import type { PageSummary } from '../sync/pull-agency.js'

/** One human-readable line per pulled page (demo and `hub.progress: true`). */
export function printPage (s: PageSummary): void {
  const parts = [`${s.records} records`, `${s.valid} valid`, `${s.changed} queued`]
  if (s.quarantined > 0) parts.push(`${s.quarantined} quarantined`)
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`)
  process.stdout.write(`[${s.agencyId}] page ${s.page}: ${parts.join(', ')}\n`)
}
