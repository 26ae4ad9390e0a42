import {
  AstropackError,
  type ColumnRef,
  type ColumnValue,
  findColumn,
  locateColumn,
  readColumn,
  readColumnValues,
} from '@astropack/format'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { withPackage } from '../package-source.js'

interface ColumnFlags {
  table?: number | string
  rows?: { start?: number; end?: number }
  json?: boolean
  raw?: boolean
}

export function registerColumn(program: Command): void {
  program
    .command('column')
    .description("print one column of a table, one value per line (reads only that column's chunks)")
    .argument('<file>', 'package path or http(s) URL')
    .argument('<entry>', 'entry holding the table, as ls shows it')
    .argument('<column>', 'column name, as tables shows it')
    .addOption(
      new Option(
        '--table <hdu|name>',
        'which table of the entry: FITS HDU number or table name (HDF5: the dataset or group path)',
      ).argParser((value: string) => (/^\d+$/.test(value) ? Number(value) : value)),
    )
    .addOption(
      new Option(
        '--rows <start:end>',
        'rows start to end (end excluded, from 0); either may be left out',
      ).argParser(parseRows),
    )
    .option('--json', 'print a JSON array')
    .option(
      '--raw',
      "write the stored bytes instead of values (as in the file: FITS big-endian, HDF5 in the dataset's byte order)",
    )
    .action(async (file: string, entry: string, column: string, flags: ColumnFlags) => {
      if (flags.json && flags.raw) throw new AstropackError('USAGE', '--json and --raw exclude each other')
      await withPackage(file, async (reader) => {
        const ref: ColumnRef = { entry, column, ...(flags.table === undefined ? {} : { table: flags.table }) }
        // An open-ended range needs the row count, which the manifest and index give without a read.
        const { table } = findColumn(reader, ref)
        const rowCount = table.rows ?? locateColumn(reader, ref).rowCount
        const rows = [flags.rows?.start ?? 0, flags.rows?.end ?? rowCount] as const
        if (flags.raw) {
          for await (const piece of readColumn(reader, { ...ref, rows })) await write(piece.bytes)
          return
        }
        const format = flags.json ? jsonValue : textValue
        let first = true
        if (flags.json) await write('[')
        for await (const values of readColumnValues(reader, { ...ref, rows })) {
          if (values.length === 0) continue
          const separator = flags.json ? ',\n  ' : '\n'
          const lead = flags.json ? (first ? '\n  ' : ',\n  ') : ''
          await write(`${lead}${values.map(format).join(separator)}${flags.json ? '' : '\n'}`)
          first = false
        }
        if (flags.json) await write(first ? ']\n' : '\n]\n')
      })
    })
}

/** `start:end`, `start:` or `:end`. */
function parseRows(value: string): { start?: number; end?: number } {
  const match = /^(\d*):(\d*)$/.exec(value)
  if (!match || (match[1] === '' && match[2] === ''))
    throw new InvalidArgumentError('expected START:END (e.g. 100:200, 100: or :200)')
  return {
    ...(match[1] === '' ? {} : { start: Number(match[1]) }),
    ...(match[2] === '' ? {} : { end: Number(match[2]) }),
  }
}

function textValue(value: ColumnValue): string {
  return value === null ? 'null' : String(value)
}

/** JSON has no NaN, infinities or bigints: the first become null, bigints their exact digits. */
function jsonValue(value: ColumnValue): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null'
  return JSON.stringify(value)
}

/** Writes to stdout, waiting when its buffer is full, so a big column streams in bounded memory. */
async function write(data: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(data)) await new Promise((resolve) => process.stdout.once('drain', resolve))
}
