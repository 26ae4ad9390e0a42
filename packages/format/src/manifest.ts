import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { AstropackError } from './errors.js'

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
  hdu?: number
  rows?: number
  /** Where the table's rows start in the entry's original bytes: the `raw_offset` of its segment. */
  dataOffset?: number
  columns: ManifestColumn[]
}

export interface ManifestColumn {
  name: string
  /** FITS TFORM (`D`, `1J`, `16A`) for FITS tables. */
  type?: string
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

/** JSON Schema (draft 2020-12) of the manifest, shipped with the package. */
export const manifestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://astropack.dev/schemas/manifest-1.json',
  title: 'AstroPack manifest, spec version 1',
  type: 'object',
  required: ['format', 'specVersion', 'created', 'tool'],
  properties: {
    format: { const: 'astropack' },
    specVersion: { type: 'string', pattern: '^1\\.[0-9]+$' },
    created: { type: 'string', format: 'date-time' },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 } },
    },
    survey: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        version: { type: 'string' },
        description: { type: 'string' },
      },
    },
    packageVersion: { type: 'string' },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'entries', 'bytes'],
        properties: {
          source: { type: 'string' },
          entries: { type: 'integer', minimum: 0 },
          bytes: { type: 'integer', minimum: 0 },
          reader: { type: 'string' },
        },
      },
    },
    tables: {
      type: 'array',
      items: {
        type: 'object',
        required: ['entry', 'name', 'source', 'columns'],
        properties: {
          entry: { type: 'string' },
          name: { type: 'string' },
          source: { type: 'string' },
          hdu: { type: 'integer', minimum: 0 },
          rows: { type: 'integer', minimum: 0 },
          dataOffset: { type: 'integer', minimum: 0 },
          columns: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string' },
                type: { type: 'string' },
                unit: { type: 'string' },
                ucd: { type: 'string' },
                description: { type: 'string' },
                tscal: { type: 'number' },
                tzero: { type: 'number' },
                tnull: { type: 'integer' },
                metrics: {
                  type: 'object',
                  required: ['count', 'nulls', 'nans'],
                  properties: {
                    count: { type: 'integer', minimum: 0 },
                    nulls: { type: 'integer', minimum: 0 },
                    nans: { type: 'integer', minimum: 0 },
                    min: { type: 'number' },
                    max: { type: 'number' },
                    mean: { type: 'number' },
                    std: { type: 'number', minimum: 0 },
                    outOfRange: { type: 'integer', minimum: 0 },
                  },
                },
              },
            },
          },
        },
      },
    },
    metadata: { type: 'object' },
  },
} as const

let validator: ReturnType<Ajv2020['compile']> | undefined

/** Problems with a parsed manifest, one line each; empty when it is valid. */
export function manifestProblems(value: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true })
    addFormats.default(ajv)
    validator = ajv.compile(manifestSchema)
  }
  if (validator(value)) return []
  return (validator.errors ?? []).map((error) => `manifest${error.instancePath} ${error.message}`)
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
