import type { ExportFormat, ExportTableResult, ExportZipResult } from 'astropack'
import { type Command, Option } from 'commander'
import { loadApi } from '../load-api.js'
import { formatBytes, formatRate, printJson } from '../output.js'

interface ExportFlags {
  to: string
  output: string
  entry?: string[]
  table?: number | string
  overwrite?: boolean
  json?: boolean
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'write a table of a package as Parquet (ZSTD), Arrow IPC, CSV, FITS or HDF5, or its files as a ZIP (byte for byte)',
    )
    .argument('<file>', 'package path or http(s) URL')
    .requiredOption('--to <format>', 'parquet, arrow, csv, fits, hdf5 (a table) or zip (the files)')
    .requiredOption('-o, --output <path>', 'file to write (appears only when complete)')
    .addOption(
      new Option(
        '--entry <path>',
        'the entry holding the table; for zip, an entry or folder to include (repeatable)',
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addOption(
      new Option(
        '--table <hdu|name>',
        'which table: FITS HDU number or name (default: the only one)',
      ).argParser((value: string) => (/^\d+$/.test(value) ? Number(value) : value)),
    )
    .option('--overwrite', 'replace the output file if it exists')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: ExportFlags) => {
      const { exportPackage } = await loadApi()
      const result = await exportPackage({
        packPath: file,
        outputPath: flags.output,
        to: flags.to as ExportFormat, // checked by exportPackage: an unknown format is a USAGE error
        ...(flags.entry === undefined ? {} : { entries: flags.entry }),
        ...(flags.table === undefined ? {} : { table: flags.table }),
        overwrite: flags.overwrite,
      })
      if (flags.json) return printJson(result)
      console.log('files' in result ? zipLine(result) : tableLine(result, flags.to))
    })
}

function tableLine(result: ExportTableResult, to: string): string {
  const rate = formatRate(result.tableBytes, result.seconds)
  return (
    `exported ${result.entry}${result.hdu === undefined ? '' : ` HDU ${result.hdu}`} (${result.rows} rows, ` +
    `${result.columns} columns) as ${to} ` +
    `to ${result.outputPath}: ${formatBytes(result.bytes)} in ${result.seconds.toFixed(2)} s (${rate})`
  )
}

function zipLine(result: ExportZipResult): string {
  return (
    `exported ${result.files} files (${formatBytes(result.bytes)}) to ${result.outputPath}: ` +
    `${formatBytes(result.zipBytes)} in ${result.seconds.toFixed(2)} s ` +
    `(${formatRate(result.bytes, result.seconds)}), all SHA-256 verified`
  )
}
