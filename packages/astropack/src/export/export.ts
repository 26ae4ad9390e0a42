import { AstropackError } from '@astropack/codecs'
import type { RecordBatch } from 'apache-arrow'
import { chooseTable, describeTable, type TableChoice } from './choose-table.js'
import { withPackage, writeAtomically, writeAtomicallyAt } from './open-package.js'
import type { TableStream } from './table-stream.js'
import { entriesToExport, writeZip } from './zip.js'

export const TABLE_FORMATS = ['parquet', 'arrow', 'csv', 'fits', 'hdf5'] as const
export type TableFormat = (typeof TABLE_FORMATS)[number]
export const EXPORT_FORMATS = [...TABLE_FORMATS, 'zip'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportTableOptions extends TableChoice {
  /** The package: a local path or an http(s) URL (only the table's chunks and headers are read). */
  packPath: string
  outputPath: string
  to: TableFormat
  overwrite?: boolean
}

export interface ExportTableResult {
  outputPath: string
  /** Where the table is: its entry, HDU (FITS) and name. */
  entry: string
  hdu?: number
  name: string
  rows: number
  columns: number
  /** Bytes of FITS rows read (the table's data, heap not counted) and bytes written. */
  tableBytes: number
  bytes: number
  seconds: number
}

export interface ExportZipOptions {
  packPath: string
  outputPath: string
  /** Only these entries (a folder: everything under it). Default: all. */
  entries?: readonly string[]
  overwrite?: boolean
}

export interface ExportZipResult {
  outputPath: string
  files: number
  /** The files' bytes, and the ZIP's. */
  bytes: number
  zipBytes: number
  seconds: number
}

/** What `astropack export` takes: files for zip, one table (within at most one entry) otherwise. */
export interface ExportOptions {
  packPath: string
  outputPath: string
  to: ExportFormat
  entries?: readonly string[]
  table?: number | string
  overwrite?: boolean
}

/**
 * Writes one table of a package as Parquet (ZSTD), an Arrow IPC file, CSV, a FITS BINTABLE or HDF5. The table is
 * read with the FITS reader over the entry's stored bytes, row group by row group, so memory stays
 * bounded whatever the table's size. The output appears under its name only once complete.
 */
export async function exportTable(options: ExportTableOptions): Promise<ExportTableResult> {
  checkTableFormat(options.to)
  const started = performance.now()
  return withPackage(options.packPath, async (reader) => {
    const table = chooseTable(reader, options)
    // The FITS reader, Arrow and the writers load only now: pack and unpack start without them.
    const [{ openTableStream }, { FILE_WRITERS, TABLE_WRITERS }] = await Promise.all([
      import('./table-stream.js'),
      import('./table-writers.js'),
    ])
    const stream = countRows(await openTableStream(reader, table))
    const { outputPath, to } = options
    const overwrite = options.overwrite ?? false
    const bytes =
      to === 'hdf5'
        ? await writeAtomicallyAt(outputPath, overwrite, (path) => FILE_WRITERS[to](stream, path))
        : await writeAtomically(outputPath, overwrite, (sink) => TABLE_WRITERS[to](stream, sink))
    return {
      outputPath: options.outputPath,
      entry: table.entry,
      ...(stream.hdu ? { hdu: stream.hdu.index } : {}),
      name: table.name,
      rows: stream.rowCount ?? stream.rowsRead(),
      columns: stream.schema.fields.length,
      tableBytes: stream.tableBytes,
      bytes,
      seconds: (performance.now() - started) / 1000,
    }
  })
}

/** The stream, counting the rows of its last pass (a stream that does not know them before reading). */
function countRows<T extends TableStream>(stream: T): T & { rowsRead: () => number } {
  let rows = 0
  async function* counted(batches: AsyncGenerator<RecordBatch, void, undefined>) {
    let passed = 0
    for await (const batch of batches) {
      passed += batch.numRows
      rows = passed
      yield batch
    }
  }
  return {
    ...stream,
    batches: counted(stream.batches),
    reread: () => counted(stream.reread()),
    rowsRead: () => rows,
  }
}

/** Writes the package's original files (all, or the entries named) into a ZIP, checking each SHA-256. */
export async function exportZip(options: ExportZipOptions): Promise<ExportZipResult> {
  const started = performance.now()
  return withPackage(options.packPath, async (reader) => {
    const entries = entriesToExport(reader, options.entries)
    const zipBytes = await writeAtomically(options.outputPath, options.overwrite ?? false, (sink) =>
      writeZip(reader, entries, sink),
    )
    const files = entries.filter((entry) => entry.kind === 'file')
    return {
      outputPath: options.outputPath,
      files: files.length,
      bytes: files.reduce((sum, entry) => sum + entry.size, 0),
      zipBytes,
      seconds: (performance.now() - started) / 1000,
    }
  })
}

/** `exportZip` or `exportTable`, by `to`; a format it does not know is a USAGE error. */
export async function exportPackage(options: ExportOptions): Promise<ExportTableResult | ExportZipResult> {
  const { to, entries, table, ...common } = options
  if (!(EXPORT_FORMATS as readonly string[]).includes(to)) {
    throw new AstropackError(
      'USAGE',
      `cannot export to ${JSON.stringify(to)} (formats: ${EXPORT_FORMATS.join(', ')})`,
    )
  }
  if (to === 'zip') {
    if (table !== undefined) {
      throw new AstropackError(
        'USAGE',
        `a table is chosen for ${TABLE_FORMATS.join(', ')}; a zip holds files`,
      )
    }
    return exportZip({ ...common, ...(entries === undefined ? {} : { entries }) })
  }
  if (entries !== undefined && entries.length > 1) {
    throw new AstropackError('USAGE', `a table is exported from one entry, not ${entries.length}`)
  }
  const entry = entries?.[0]
  return exportTable({
    ...common,
    to,
    ...(entry === undefined ? {} : { entry }),
    ...(table === undefined ? {} : { table }),
  })
}

function checkTableFormat(to: string): asserts to is TableFormat {
  if ((TABLE_FORMATS as readonly string[]).includes(to)) return
  const hint = to === 'zip' ? '; zip takes files, not a table (exportZip)' : ''
  throw new AstropackError(
    'USAGE',
    `cannot export a table to ${JSON.stringify(to)} (formats: ${TABLE_FORMATS.join(', ')})${hint}`,
  )
}

export { describeTable, type TableChoice }
