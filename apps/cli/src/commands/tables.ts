import {
  type ColumnMetrics,
  type ColumnStorage,
  columnStorage,
  type ManifestTable,
  type PackageReader,
} from '@astropack/format'
import type { Command } from 'commander'
import { loadApi } from '../load-api.js'
import { formatBytes, printJson } from '../output.js'
import { withPackage } from '../package-source.js'

export function registerTables(program: Command): void {
  program
    .command('tables')
    .description('list the tables recognised in a package: columns, types, units and quality metrics')
    .argument('<file>', 'package path or http(s) URL')
    .option('--json', 'print as JSON')
    .option('--storage', "also each column's stored bytes, chunks and transform chain (from the index)")
    .action(async (file: string, flags: { json?: boolean; storage?: boolean }) => {
      const tables = await withPackage(file, async (reader) =>
        (reader.manifest.tables ?? []).map((table) => (flags.storage ? withStorage(reader, table) : table)),
      )
      if (flags.json) return printJson(tables)
      if (tables.length === 0) console.log('no tables recognised')
      for (const table of tables) {
        const where = table.hdu === undefined ? '' : ` HDU ${table.hdu}`
        const rows = table.rows === undefined ? '' : `, ${table.rows} rows`
        console.log(`${table.entry}${where}: ${table.name} (${table.source}${rows})`)
        for (const column of table.columns) {
          const type = column.type ? ` ${column.type}` : ''
          const unit = column.unit ? ` [${column.unit}]` : ''
          const ucd = column.ucd ? ` ${column.ucd}` : ''
          const metrics = column.metrics ? `  ${summary(column.metrics)}` : ''
          const storage =
            'storage' in column ? `  ${stored(column.storage as ColumnStorage | undefined)}` : ''
          console.log(`  ${column.name}${type}${unit}${ucd}${metrics}${storage}`)
        }
      }
    })

  program
    .command('schema')
    .description('print an expected schema the package satisfies (tables, columns, types, units, ranges)')
    .argument('<file>', 'package path or http(s) URL')
    .action(async (file: string) => {
      const manifest = await withPackage(file, async (reader) => reader.manifest)
      const { schemaOf } = await loadApi()
      printJson(schemaOf(manifest))
    })
}

/** The table with each column's storage; undefined for a column whose chunks the index cannot name. */
function withStorage(reader: PackageReader, table: ManifestTable) {
  const ref = { entry: table.entry, table: table.hdu ?? table.name }
  const storageOf = (column: string) => {
    try {
      return columnStorage(reader, { ...ref, column })
    } catch {
      return undefined
    }
  }
  return {
    ...table,
    columns: table.columns.map((column) => ({ ...column, storage: storageOf(column.name) })),
  }
}

function stored(storage: ColumnStorage | undefined): string {
  if (!storage) return 'stored: not on its own'
  const chain = [storage.codec, ...storage.steps].join(' ')
  const shared = storage.shared ? ', chunks shared with other data' : ''
  const predicted = storage.predicted ? `, ${storage.predicted} predicted from other columns` : ''
  const chunks = `${storage.chunks} chunk${storage.chunks === 1 ? '' : 's'}`
  return `stored ${formatBytes(storage.storedBytes)} in ${chunks} (${chain}${shared}${predicted})`
}

/** One line of metrics: counts, then range, mean and spread to 6 significant digits. */
function summary(metrics: ColumnMetrics): string {
  const parts = [`n=${metrics.count}`]
  if (metrics.nulls > 0) parts.push(`nulls=${metrics.nulls}`)
  if (metrics.nans > 0) parts.push(`NaN=${metrics.nans}`)
  const g = (value: number) => Number(value.toPrecision(6)).toString()
  if (metrics.min !== undefined && metrics.max !== undefined)
    parts.push(`${g(metrics.min)}..${g(metrics.max)}`)
  if (metrics.mean !== undefined && metrics.std !== undefined)
    parts.push(`mean=${g(metrics.mean)} std=${g(metrics.std)}`)
  if (metrics.outOfRange) parts.push(`OUT OF RANGE=${metrics.outOfRange}`)
  return parts.join(' ')
}
