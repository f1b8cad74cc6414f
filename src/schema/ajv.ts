/**
 * The one way the hub builds an Ajv instance for canonical-case validation: JSON Schema
 * draft 2020-12, strict, all errors, discriminated unions, ajv-formats, and the two Chinese
 * identifier formats.
 */
import Ajv2020Module from 'ajv/dist/2020.js'
import type { Options } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { isResidentIdNumber, isUnifiedSocialCreditCode } from './check-digits.js'

// ajv and ajv-formats are CommonJS. Under NodeNext an ESM default import is `module.exports`,
// which TypeScript types as the whole module namespace, so the class / plugin sits on
// `.default` (both packages also set `exports.default` to the same thing at run time).
// The fallback keeps this working should a bundler or a future release unwrap it already.
type Ajv2020Class = typeof Ajv2020Module.default
type FormatsPlugin = typeof addFormatsModule.default
const Ajv2020: Ajv2020Class = (Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? (Ajv2020Module as unknown as Ajv2020Class)
const addFormats: FormatsPlugin = (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin)

/** An Ajv instance as made by {@link createAjv}. */
export type Ajv = InstanceType<Ajv2020Class>

/**
 * A fresh Ajv (draft 2020-12) with `allErrors`, `strict` (unknown keywords, ambiguous types
 * and undeclared required properties throw at compile time), `discriminator`, the
 * ajv-formats formats (`date-time`, `uri`, …) and:
 *  - `cn-resident-id`: an 18-character resident ID number with a valid check character;
 *  - `cn-uscc`: an 18-character unified social credit code with a valid check character.
 * @param extra `verbose: true` adds the failing schema to each error (and the data: do not
 *   log such errors, they may carry personal data). @defaultValue `{}`
 */
export function createAjv (extra: Pick<Options, 'verbose'> = {}): Ajv {
  const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true, ...extra })
  addFormats(ajv)
  ajv.addFormat('cn-resident-id', { type: 'string', validate: isResidentIdNumber })
  ajv.addFormat('cn-uscc', { type: 'string', validate: isUnifiedSocialCreditCode })
  return ajv
}
