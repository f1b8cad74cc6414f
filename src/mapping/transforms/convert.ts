/**
 * The shape every value conversion shares (dates, money, code tables, parsers): text in,
 * canonical value or {@link Failure} out. Converters are built once when a mapping is
 * compiled; per record they only run.
 */

/**
 * Why a piece of text could not be converted. Its message is fixed when the converter is
 * built and never quotes the text — problem reports must not leak personal data — so each
 * converter allocates its failures once and returns the same instances for every record.
 */
export class Failure {
  constructor (
    /** The rule that failed, e.g. "date:yyyyMMdd". */
    readonly rule: string,
    /** What was expected, in English, without the offending value. */
    readonly message: string,
  ) {}
}

/** Text → canonical value, or a {@link Failure}. Never throws. The text is never empty. */
export type Convert = (text: string) => unknown
