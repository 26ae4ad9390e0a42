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
          reader: { type: 'string' },
          hdu: { type: 'integer', minimum: 0 },
          rows: { type: 'integer', minimum: 0 },
          dataOffset: { type: 'integer', minimum: 0 },
          segments: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
          columns: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string' },
                type: { type: 'string' },
                fieldOffset: { type: 'integer', minimum: 0 },
                dataOffset: { type: 'integer', minimum: 0 },
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
