import { AstropackError } from '@astropack/codecs'
import type { Manifest, ManifestTable, Problem } from '@astropack/format'
import type { DataValidateFunction } from 'ajv/dist/types/index.js'

/**
 * What a package must hold, for `validatePackage({ expectedSchema })`: a JSON Schema of the manifest
 * (required survey metadata, say), which may use one more keyword, `astropackTables`, for the tables:
 *
 *   { "required": ["survey"],
 *     "astropackTables": [{ "name": "TYCHO2", "rows": { "min": 1 },
 *       "columns": [{ "name": "ra", "type": "D", "unit": "deg", "min": 0, "max": 360, "maxNulls": 0 }] }] }
 *
 * Ranges are checked against the metrics packing recorded (min, max, nulls, NaNs of every value).
 */
export interface TableRequirement {
  /** The table's name (FITS EXTNAME, or the file name for CSV); with `entry`, both must match. */
  name?: string
  entry?: string
  rows?: { min?: number; max?: number }
  columns?: ColumnRequirement[]
}

export interface ColumnRequirement {
  name: string
  /** FITS TFORM as recorded (`D`, `1J`, `16A`). */
  type?: string
  unit?: string
  /** Every value must lie in [min, max]. */
  min?: number
  max?: number
  maxNulls?: number
  maxNaNs?: number
}

const range = {
  type: 'object',
  properties: { min: { type: 'number' }, max: { type: 'number' } },
  additionalProperties: false,
}

/** The keyword's own schema: a mistyped requirement is a usage error, not a silent pass. */
const requirementsSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      entry: { type: 'string' },
      rows: range,
      columns: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            type: { type: 'string' },
            unit: { type: 'string' },
            min: { type: 'number' },
            max: { type: 'number' },
            maxNulls: { type: 'integer', minimum: 0 },
            maxNaNs: { type: 'integer', minimum: 0 },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
}

/** Every way the manifest falls short of `schema`, one problem each. */
export async function expectedSchemaProblems(manifest: Manifest, schema: object): Promise<Problem[]> {
  // ajv (83 modules) loads only when a schema is checked: every other command starts without it.
  const { Ajv2020 } = await import('ajv/dist/2020.js')
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  const check: DataValidateFunction = (requirements: TableRequirement[], data: unknown) => {
    const messages = tableProblems(data as Manifest, requirements)
    check.errors = messages.map((message) => ({
      keyword: 'astropackTables',
      instancePath: '/tables',
      schemaPath: '#/astropackTables',
      params: {},
      message,
    }))
    return messages.length === 0
  }
  ajv.addKeyword({
    keyword: 'astropackTables',
    metaSchema: requirementsSchema,
    errors: true,
    validate: check,
  })
  let validate: ReturnType<typeof ajv.compile>
  try {
    validate = ajv.compile(schema)
  } catch (cause) {
    throw new AstropackError('USAGE', `the expected schema is not valid: ${(cause as Error).message}`, {
      cause,
    })
  }
  if (validate(manifest)) return []
  return (validate.errors ?? []).map((error) => ({
    code: 'BAD_MANIFEST' as const,
    message:
      error.keyword === 'astropackTables'
        ? `${error.message} (expected schema)`
        : `manifest${error.instancePath} ${error.message} (expected schema)`,
  }))
}

function tableProblems(manifest: Manifest, requirements: readonly TableRequirement[]): string[] {
  const problems: string[] = []
  for (const wanted of requirements) {
    const label = JSON.stringify(wanted.name ?? wanted.entry ?? '')
    const table = (manifest.tables ?? []).find(
      (t) =>
        (wanted.name === undefined || t.name === wanted.name) &&
        (wanted.entry === undefined || t.entry === wanted.entry),
    )
    if (!table) {
      problems.push(`table ${label} is missing`)
      continue
    }
    const rows = table.rows
    if (wanted.rows && rows === undefined) problems.push(`table ${label}: row count not recorded`)
    else if (rows !== undefined && wanted.rows?.min !== undefined && rows < wanted.rows.min)
      problems.push(`table ${label} has ${rows} rows, expected at least ${wanted.rows.min}`)
    else if (rows !== undefined && wanted.rows?.max !== undefined && rows > wanted.rows.max)
      problems.push(`table ${label} has ${rows} rows, expected at most ${wanted.rows.max}`)
    for (const column of wanted.columns ?? []) problems.push(...columnProblems(table, label, column))
  }
  return problems
}

function columnProblems(table: ManifestTable, label: string, wanted: ColumnRequirement): string[] {
  const column = table.columns.find((c) => c.name === wanted.name)
  const where = `table ${label}, column ${JSON.stringify(wanted.name)}`
  if (!column) return [`${where} is missing`]
  const problems: string[] = []
  if (wanted.type !== undefined && column.type !== wanted.type)
    problems.push(`${where} has type ${column.type ?? 'unknown'}, expected ${wanted.type}`)
  if (wanted.unit !== undefined && column.unit !== wanted.unit)
    problems.push(
      `${where} has unit ${JSON.stringify(column.unit ?? '')}, expected ${JSON.stringify(wanted.unit)}`,
    )
  const needsMetrics = [wanted.min, wanted.max, wanted.maxNulls, wanted.maxNaNs].some((v) => v !== undefined)
  const metrics = column.metrics
  if (!needsMetrics) return problems
  if (!metrics) return [...problems, `${where} has no recorded metrics to check its values against`]
  if (wanted.min !== undefined && metrics.min !== undefined && metrics.min < wanted.min)
    problems.push(`${where} has values down to ${metrics.min}, below the minimum ${wanted.min}`)
  if (wanted.max !== undefined && metrics.max !== undefined && metrics.max > wanted.max)
    problems.push(`${where} has values up to ${metrics.max}, above the maximum ${wanted.max}`)
  if (wanted.maxNulls !== undefined && metrics.nulls > wanted.maxNulls)
    problems.push(`${where} has ${metrics.nulls} nulls, at most ${wanted.maxNulls} allowed`)
  if (wanted.maxNaNs !== undefined && metrics.nans > wanted.maxNaNs)
    problems.push(`${where} has ${metrics.nans} NaNs, at most ${wanted.maxNaNs} allowed`)
  return problems
}

/** An expected schema that the package's own tables satisfy: names, types, units and observed ranges. */
export function schemaOf(manifest: Manifest): { astropackTables: TableRequirement[] } {
  return {
    astropackTables: (manifest.tables ?? []).map((table) => ({
      name: table.name,
      entry: table.entry,
      ...(table.rows !== undefined ? { rows: { min: table.rows, max: table.rows } } : {}),
      columns: table.columns.map((column) => ({
        name: column.name,
        ...(column.type !== undefined ? { type: column.type } : {}),
        ...(column.unit !== undefined ? { unit: column.unit } : {}),
        ...(column.metrics?.min !== undefined ? { min: column.metrics.min, max: column.metrics.max } : {}),
        ...(column.metrics ? { maxNulls: column.metrics.nulls, maxNaNs: column.metrics.nans } : {}),
      })),
    })),
  }
}
