/**
 * The one way the hub builds an Ajv instance — for the canonical case, the hub config, the
 * adapters' config sections and the mapping files alike: JSON Schema draft 2020-12,
 * strict, all errors, discriminated unions, ajv-formats, and the two Chinese identifier
 * formats. What differs between uses (defaults filled in, the failing schema in each
 * error, extra annotation keywords) is asked for by name.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { Options } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { isResidentIdNumber, isUnifiedSocialCreditCode } from './check-digits.js'

// ajv-formats is CommonJS setting both `module.exports` and `module.exports.default` to the
// plugin; under NodeNext the default import is `module.exports`, typed as the module, so
// the plugin is read from `.default` (the same function at run time, under tsx and node).
const addFormats = addFormatsModule.default

/** An Ajv instance as made by {@link createAjv}. */
export type Ajv = Ajv2020

/** What a caller may choose; everything else is the same for every Ajv of the hub. */
export type AjvChoices = Pick<Options, 'verbose' | 'useDefaults' | 'allowUnionTypes' | 'keywords' | 'allErrors'>

/**
 * A fresh Ajv (draft 2020-12) with `allErrors`, `strict` (unknown keywords, ambiguous types
 * and undeclared required properties throw at compile time), `discriminator`, the
 * ajv-formats formats (`date-time`, `uri`, …) and:
 *  - `cn-resident-id`: an 18-character resident ID number with a valid check character;
 *  - `cn-uscc`: an 18-character unified social credit code with a valid check character.
 * @param choices `verbose: true` adds the failing schema to each error (and the data: do
 *   not log such errors, they may carry personal data); `useDefaults: true` fills in the
 *   schemas' `default`s (configs and mappings: defaults live in the schemas only);
 *   `allowUnionTypes` and `keywords` for schemas that use them; `allErrors: false` for a
 *   validator that only needs a yes or no (it stops at the first failure). @defaultValue `{}`
 */
export function createAjv (choices: AjvChoices = {}): Ajv {
  const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true, ...choices })
  addFormats(ajv)
  ajv.addFormat('cn-resident-id', { type: 'string', validate: isResidentIdNumber })
  ajv.addFormat('cn-uscc', { type: 'string', validate: isUnifiedSocialCreditCode })
  return ajv
}
