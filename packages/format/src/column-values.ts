import { findColumn, locateColumn, type ReadColumnOptions, readLocatedColumn } from './columns.js'
import { AstropackError } from './errors.js'
import { parseFitsForm } from './fits-forms.js'
import { numpyColumnDecoder } from './hdf5-column-values.js'
import type { ManifestColumn } from './manifest.js'
import type { PackageReader } from './reader.js'
import { readTextColumnValues } from './text-columns.js'

/**
 * FITS column bytes as JavaScript values, for scalar columns: L as booleans, B/I/J as numbers, K as
 * bigints, E/D as numbers, A as strings; TSCAL/TZERO applied and TNULL read as null when the manifest
 * records them (SPEC §7.3).
 */

/** One row's value; null for a FITS null (TNULL, or a logical that is neither T nor F). */
export type ColumnValue = number | bigint | string | boolean | null

type Decode = (bytes: Uint8Array) => ColumnValue[]

/**
 * A decoder from the column's stored bytes (a whole number of rows) to one value per row. USAGE for
 * columns that are not scalars of those types: vectors, bits, complex numbers, heap descriptors.
 */
export function columnDecoder(column: ManifestColumn): Decode {
  const form = parseFitsForm(column.type)
  const name = JSON.stringify(column.name)
  if (form === undefined) {
    throw new AstropackError(
      'USAGE',
      `column ${name} has no FITS type in the manifest: read its bytes (readColumn)`,
    )
  }
  if (form.code === 'A') return fixedStrings(form.width)
  if (form.repeat !== 1 || !SCALAR_CODES.has(form.code)) {
    throw new AstropackError(
      'USAGE',
      `column ${name} is ${column.type}: values are decoded for scalar L, B, I, J, K, E, D and A columns: read its bytes (readColumn)`,
    )
  }
  if (form.code === 'L') return logicals
  const scale = column.tscal ?? 1
  const zero = column.tzero ?? 0
  if (form.code === 'K') return int64s(scale, zero, column.tnull)
  const read = NUMBER_READERS[form.code as keyof typeof NUMBER_READERS]
  const width = form.width
  // TNULL marks integers only; floats are null as NaN already.
  const tnull = form.code === 'E' || form.code === 'D' ? undefined : column.tnull
  const scaled = scale !== 1 || zero !== 0
  return (bytes) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const out = new Array<ColumnValue>(bytes.byteLength / width)
    for (let i = 0; i < out.length; i++) {
      const stored = read(view, i * width)
      out[i] = stored === tnull ? null : scaled ? stored * scale + zero : stored
    }
    return out
  }
}

const SCALAR_CODES: ReadonlySet<string> = new Set(['L', 'B', 'I', 'J', 'K', 'E', 'D'])

/** Big-endian readers of the scalar types that become numbers. */
const NUMBER_READERS = {
  B: (view: DataView, at: number) => view.getUint8(at),
  I: (view: DataView, at: number) => view.getInt16(at),
  J: (view: DataView, at: number) => view.getInt32(at),
  E: (view: DataView, at: number) => view.getFloat32(at),
  D: (view: DataView, at: number) => view.getFloat64(at),
}

const T = 0x54
const F = 0x46

function logicals(bytes: Uint8Array): ColumnValue[] {
  return Array.from(bytes, (byte) => (byte === T ? true : byte === F ? false : null))
}

/**
 * 64-bit integers stay exact as bigints: TZERO 2^63 (unsigned) and other integer offsets are added as
 * bigints; any other scaling gives numbers, as physical values are floating point.
 */
function int64s(scale: number, zero: number, tnull: number | undefined): Decode {
  const nullValue = tnull === undefined ? undefined : BigInt(tnull)
  const exact = scale === 1 && Number.isInteger(zero)
  const offset = exact ? BigInt(zero) : 0n // 2^63 (unsigned 64-bit) is exact as a double
  return (bytes) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const out = new Array<ColumnValue>(bytes.byteLength / 8)
    for (let i = 0; i < out.length; i++) {
      const stored = view.getBigInt64(i * 8)
      if (stored === nullValue) out[i] = null
      else out[i] = exact ? stored + offset : Number(stored) * scale + zero
    }
    return out
  }
}

const latin1 = new TextDecoder('latin1')

/**
 * Fixed-width character fields, cut at the first NUL; FITS also strips trailing spaces (FITS 4.0 §7.3.3.1),
 * HDF5 strings keep them.
 */
export function fixedStrings(width: number, trimSpaces = true): (bytes: Uint8Array) => ColumnValue[] {
  return (bytes) => {
    const out = new Array<ColumnValue>(bytes.byteLength / width)
    for (let i = 0; i < out.length; i++) {
      const field = bytes.subarray(i * width, (i + 1) * width)
      const nul = field.indexOf(0)
      let end = nul === -1 ? width : nul
      while (trimSpaces && end > 0 && field[end - 1] === 0x20) end--
      out[i] = latin1.decode(field.subarray(0, end))
    }
    return out
  }
}

/** Manifest sources of tables stored as text segments (SPEC §7.2): their columns are read from the text. */
export const TEXT_TABLE_SOURCES: ReadonlySet<string> = new Set([
  'csv',
  'tsv',
  'bar-separated',
  'space-separated',
  'ecsv',
  'fixed-width',
])

/**
 * Yields a scalar column's values (of a FITS or HDF5 table, or any column of a text table) group by group
 * for rows [start, end): bounded memory for big tables.
 */
export async function* readColumnValues(
  reader: PackageReader,
  options: ReadColumnOptions,
): AsyncGenerator<ColumnValue[]> {
  const { table } = findColumn(reader, options)
  if (TEXT_TABLE_SOURCES.has(table.source)) return yield* readTextColumnValues(reader, options)
  const location = locateColumn(reader, options)
  const decode =
    table.source === 'hdf5' ? numpyColumnDecoder(location.column) : columnDecoder(location.column)
  for await (const piece of readLocatedColumn(reader, location, options.rows)) yield decode(piece.bytes)
}

/** A scalar column's values for rows [start, end) (every row by default), in one array. */
export async function columnValues(
  reader: PackageReader,
  options: ReadColumnOptions,
): Promise<ColumnValue[]> {
  const values: ColumnValue[] = []
  for await (const part of readColumnValues(reader, options)) {
    for (const value of part) values.push(value)
  }
  return values
}
