import { AstropackError } from './errors.js'
import { validate } from './manifest-validator.generated.js'

export { manifestSchema } from './manifest-schema.js'

/** The manifest: who made the package, from what, and free metadata. Unknown fields are allowed and kept. */
export interface Manifest {
  format: 'astropack'
  specVersion: string
  created: string
  tool: { name: string; version: string }
  survey?: { name: string; version?: string; description?: string }
  packageVersion?: string
  /** Provenance: where the packed files came from. */
  inputs?: { source: string; entries: number; bytes: number; reader?: string }[]
  /** Tables readers recognised: name, source, columns (with type, unit, UCD, description when known). */
  tables?: ManifestTable[]
  metadata?: Record<string, unknown>
  [extra: string]: unknown
}

/** A table a reader recognised in an entry (SPEC §6, §7.3). */
export interface ManifestTable {
  entry: string
  name: string
  source: string
  /** Provenance: the reader that recognised the table, and its version (`@astropack/readers 0.1.0`). */
  reader?: string
  hdu?: number
  rows?: number
  /**
   * Where the table's rows start in the entry's original bytes: the `raw_offset` of its segment; for a
   * table stored column by column, its first column's `dataOffset`.
   */
  dataOffset?: number
  /**
   * A table whose rows lie in several rows segments (a chunked HDF5 dataset whose chunks are in several
   * runs): their `raw_offset`s, in row order; the first is `dataOffset` (SPEC §7.3).
   */
  segments?: number[]
  columns: ManifestColumn[]
}

export interface ManifestColumn {
  name: string
  /** FITS TFORM (`D`, `1J`, `16A`) for FITS tables; numpy's type name (`<f8`, `>i4`, `|S6`) for HDF5. */
  type?: string
  /**
   * Where the field starts within a row (an HDF5 compound member's offset); without it, fields follow
   * each other in order from 0 (FITS).
   */
  fieldOffset?: number
  /**
   * For a table stored column by column (HDF5 datasets of one group): where this column's values start in
   * the entry's original bytes, `rows` values of its type back to back (SPEC §7.3).
   */
  dataOffset?: number
  unit?: string
  ucd?: string
  description?: string
  /** FITS TSCAL, TZERO and TNULL, when the header sets them: physical = tzero + tscal × stored. */
  tscal?: number
  tzero?: number
  tnull?: number
  /** Quality metrics measured while packing, over every row (physical values: TSCAL/TZERO applied). */
  metrics?: ColumnMetrics
}

export interface ColumnMetrics {
  /** Values: rows × elements per row (the repeat count of a FITS vector column). */
  count: number
  /** Rows with no value (FITS TNULL). */
  nulls: number
  /** NaN and infinite values (left out of min, max, mean and std). */
  nans: number
  /** Over the numeric values (absent when there are none); `std` is the population standard deviation. */
  min?: number
  max?: number
  mean?: number
  std?: number
  /** For right ascension / declination columns: values outside [0, 360) / [-90, 90] degrees. */
  outOfRange?: number
}

interface ValidationError {
  instancePath: string
  message?: string
}

/** Problems with a parsed manifest, one line each; empty when it is valid (`manifestSchema`, compiled ahead). */
export function manifestProblems(value: unknown): string[] {
  const check = validate as ((value: unknown) => boolean) & { errors?: ValidationError[] | null }
  if (check(value)) return []
  return (check.errors ?? []).map((error) => `manifest${error.instancePath} ${error.message}`)
}

export function parseManifest(json: string): Manifest {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (cause) {
    throw new AstropackError('BAD_MANIFEST', `manifest is not JSON: ${(cause as Error).message}`, { cause })
  }
  const problems = manifestProblems(value)
  if (problems.length > 0) throw new AstropackError('BAD_MANIFEST', problems.join('; '))
  return value as Manifest
}
