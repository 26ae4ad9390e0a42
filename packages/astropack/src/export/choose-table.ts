import { AstropackError } from '@astropack/codecs'
import { type ManifestTable, type PackageReader, TEXT_TABLE_SOURCES } from '@astropack/format'

/** Which table to export: an HDU number or a name, optionally within one entry. */
export interface TableChoice {
  entry?: string
  table?: number | string
}

/** `fits/x.fits HDU 2 "EVENTS"`, `fits/x.fits HDU 1` (unnamed), `cat.h5 "/catalog"` or `tables/stars.csv`. */
export function describeTable(table: ManifestTable): string {
  if (table.source === 'hdf5') return `${table.entry} ${JSON.stringify(table.name)}`
  if (table.hdu === undefined) return table.entry
  const name = table.name === `HDU ${table.hdu}` ? '' : ` ${JSON.stringify(table.name)}`
  return `${table.entry} HDU ${table.hdu}${name}`
}

/**
 * The one table the choice names among the tables the manifest lists. Without `table`, the only
 * table (of the entry, when given) is taken; several make a USAGE error that lists them.
 */
export function chooseTable(reader: PackageReader, choice: TableChoice): ManifestTable {
  const all = reader.manifest.tables ?? []
  if (choice.entry !== undefined) reader.entry(choice.entry) // NOT_FOUND for an entry the package lacks
  const candidates = choice.entry === undefined ? all : all.filter((table) => table.entry === choice.entry)
  const where = choice.entry === undefined ? 'the package' : JSON.stringify(choice.entry)
  if (candidates.length === 0) throw new AstropackError('NOT_FOUND', `no table was recognised in ${where}`)
  const list = (tables: ManifestTable[]) => tables.map(describeTable).join(', ')
  if (choice.table === undefined) {
    if (candidates.length > 1) {
      throw new AstropackError(
        'USAGE',
        `${where} has ${candidates.length} tables; choose one with --table (HDU number or name): ${list(candidates)}`,
      )
    }
    return exportable(candidates[0]!)
  }
  const what = typeof choice.table === 'number' ? `HDU ${choice.table}` : JSON.stringify(choice.table)
  const matches = matching(candidates, choice.table)
  if (matches.length === 0) {
    throw new AstropackError('NOT_FOUND', `no table ${what} in ${where} (tables: ${list(candidates)})`)
  }
  if (matches.length > 1) {
    throw new AstropackError(
      'USAGE',
      `${what} names ${matches.length} tables; choose the entry with --entry: ${list(matches)}`,
    )
  }
  return exportable(matches[0]!)
}

/**
 * FITS binary tables are read with the FITS reader, HDF5 tables by column, and text tables with the reader
 * of their kind (CSV, ECSV, fixed-width).
 */
function exportable(table: ManifestTable): ManifestTable {
  if (!EXPORTED_SOURCES.has(table.source)) {
    throw new AstropackError(
      'USAGE',
      `${describeTable(table)} is a ${table.source} table, which export does not read`,
    )
  }
  return table
}

const EXPORTED_SOURCES: ReadonlySet<string> = new Set(['fits', 'hdf5', ...TEXT_TABLE_SOURCES])

/** By HDU number; by name exactly, else case-insensitively (FITS EXTNAMEs are) when that is unique. */
function matching(tables: ManifestTable[], wanted: number | string): ManifestTable[] {
  if (typeof wanted === 'number') return tables.filter((table) => table.hdu === wanted)
  const exact = tables.filter((table) => table.name === wanted)
  if (exact.length > 0) return exact
  const lower = wanted.toLowerCase()
  return tables.filter((table) => table.name.toLowerCase() === lower)
}
