import type { Dataset } from 'h5wasm/node'
import { hdf5Error } from './errors.js'
import { libraryCall, type OpenHdf5 } from './h5wasm.js'
import { checkFilters, describeDataset, type Hdf5DatasetInfo } from './scan.js'
import { type Hdf5Type, typeName } from './types.js'

/** The element type of a table column: what one value of it is stored as. */
export type Hdf5ElementType =
  | { class: 'integer'; size: number; signed: boolean }
  /** numpy's bool as h5py writes it: a 1-byte enum {FALSE: 0, TRUE: 1}. */
  | { class: 'boolean'; size: 1 }
  | { class: 'float'; size: 4 | 8 }
  | { class: 'string'; size: number; variable: boolean; charset: 'ascii' | 'utf-8' }

export interface Hdf5Column {
  name: string
  /** The dataset holding the column (for a compound table, the compound dataset). */
  dataset: Dataset
  info: Hdf5DatasetInfo
  element: Hdf5ElementType
  /** Values per row: 1, or the product of the trailing dimensions or array member shape (a FixedSizeList). */
  perRow: number
  /** Byte offset in a stored row: the compound member offset, 0 for a group's dataset. */
  offset: number
}

/** A table in an HDF5 file: a compound dataset (members are columns) or a group (its datasets are columns). */
export interface Hdf5Table {
  path: string
  kind: 'compound' | 'group'
  rows: number
  columns: Hdf5Column[]
}

export interface Hdf5TableSelection {
  /** A group whose datasets of equal length (first dimension) are the columns. */
  group?: string
  /** A compound dataset whose members are the columns, or any other dataset as a one-column table. */
  dataset?: string
  /** Column names (datasets or members) to read, in this order; all when absent. */
  columns?: readonly string[]
}

export function resolveTable(open: OpenHdf5, selection: Hdf5TableSelection): Hdf5Table {
  const where = { file: open.name }
  if ((selection.group === undefined) === (selection.dataset === undefined)) {
    throw hdf5Error('USAGE', where, 'give either group or dataset')
  }
  const path = normalize((selection.group ?? selection.dataset)!)
  const entity = libraryCall({ ...where, object: path }, 'open the object', () => open.file.get(path))
  const wanted = selection.group === undefined ? open.h5.Dataset : open.h5.Group
  if (!(entity instanceof wanted)) {
    const kind = selection.group === undefined ? 'dataset' : 'group'
    throw hdf5Error('NOT_FOUND', { ...where, object: path }, `no ${kind} at this path`)
  }
  const table =
    entity instanceof open.h5.Dataset
      ? datasetTable(open, entity)
      : groupTable(
          open,
          path,
          entity.keys().filter((name) => selection.columns?.includes(name) ?? true),
        )
  return { ...table, columns: selectColumns(open.name, table, selection.columns) }
}

function datasetTable(open: OpenHdf5, dataset: Dataset): Hdf5Table {
  const info = describeDataset(open, dataset)
  const where = { file: open.name, object: info.path }
  if (info.shape.length !== 1 && info.type.class === 'compound') {
    throw hdf5Error('UNSUPPORTED_FEATURE', where, `a compound table must be 1-D, not shape [${info.shape}]`)
  }
  checkFilters(open.name, info)
  const rows = rowCount(open.name, info)
  if (info.type.class !== 'compound') {
    const name = info.path.slice(info.path.lastIndexOf('/') + 1)
    return {
      path: info.path,
      kind: 'group',
      rows,
      columns: [column(open.name, name, dataset, info, info.type, 0)],
    }
  }
  const members = info.type.members
  const numeric = members.filter((member) => 'littleEndian' in member.type)
  if (new Set(numeric.map((member) => 'littleEndian' in member.type && member.type.littleEndian)).size > 1) {
    // h5wasm converts a compound to little-endian only when all its members share one byte order.
    throw hdf5Error('UNSUPPORTED_FEATURE', where, 'compound members of mixed byte order')
  }
  const columns = members.map((member) =>
    column(open.name, member.name, dataset, info, member.type, member.offset),
  )
  return { path: info.path, kind: 'compound', rows, columns }
}

function groupTable(open: OpenHdf5, path: string, names: string[]): Hdf5Table {
  const columns: Hdf5Column[] = []
  let rows: number | undefined
  for (const name of names) {
    const objectPath = path === '/' ? `/${name}` : `${path}/${name}`
    const entity = libraryCall({ file: open.name, object: objectPath }, 'open the object', () =>
      open.file.get(objectPath),
    )
    if (!(entity instanceof open.h5.Dataset)) continue
    const info = describeDataset(open, entity)
    const length = rowCount(open.name, info)
    if (rows !== undefined && length !== rows) {
      throw hdf5Error(
        'UNSUPPORTED_FEATURE',
        { file: open.name, object: objectPath },
        `${length} rows where the group's first dataset has ${rows}; choose columns of one length (option columns)`,
      )
    }
    rows = length
    checkFilters(open.name, info)
    columns.push(column(open.name, name, entity, info, info.type, 0))
  }
  if (rows === undefined) {
    throw hdf5Error('NOT_FOUND', { file: open.name, object: path }, 'the group holds no datasets')
  }
  return { path, kind: 'group', rows, columns }
}

function rowCount(file: string, info: Hdf5DatasetInfo): number {
  const rows = info.shape[0]
  if (rows === undefined) {
    throw hdf5Error('UNSUPPORTED_FEATURE', { file, object: info.path }, 'a scalar dataset is not a column')
  }
  return rows
}

function column(
  file: string,
  name: string,
  dataset: Dataset,
  info: Hdf5DatasetInfo,
  type: Hdf5Type,
  offset: number,
): Hdf5Column {
  // A group's dataset of shape [rows, a, b] gives a*b values a row; a compound member is one value a row.
  let perRow = info.type.class === 'compound' ? 1 : info.shape.slice(1).reduce((a, b) => a * b, 1)
  let leaf = type
  if (leaf.class === 'array') {
    perRow *= leaf.shape.reduce((a, b) => a * b, 1)
    leaf = leaf.base
  }
  const element =
    leaf.class === 'enum' && isBooleanEnum(leaf)
      ? BOOLEAN
      : elementType(leaf.class === 'enum' ? leaf.base : leaf)
  if (
    element === undefined ||
    (element.class === 'string' && element.variable && info.type.class === 'compound')
  ) {
    throw hdf5Error(
      'UNSUPPORTED_FEATURE',
      { file, object: info.path },
      `column ${name} of type ${typeName(type)}`,
    )
  }
  if (element.class === 'string' && element.variable && perRow !== 1) {
    throw hdf5Error(
      'UNSUPPORTED_FEATURE',
      { file, object: info.path },
      'variable-length strings of more than 1-D',
    )
  }
  return { name, dataset, info, element, perRow, offset }
}

const BOOLEAN = { class: 'boolean', size: 1 } as const

/** h5py's bool: a 1-byte integer enum with exactly FALSE = 0 and TRUE = 1 (other enums read as their integers). */
function isBooleanEnum(type: Extract<Hdf5Type, { class: 'enum' }>): boolean {
  const names = Object.entries(type.names)
  return (
    type.size === 1 &&
    type.base.class === 'integer' &&
    names.length === 2 &&
    type.names.FALSE === 0 &&
    type.names.TRUE === 1
  )
}

function elementType(type: Hdf5Type): Hdf5ElementType | undefined {
  if (type.class === 'integer' && [1, 2, 4, 8].includes(type.size)) {
    return { class: 'integer', size: type.size, signed: type.signed }
  }
  if (type.class === 'float' && (type.size === 4 || type.size === 8))
    return { class: 'float', size: type.size }
  if (type.class === 'string') return type
  return undefined
}

function selectColumns(file: string, table: Hdf5Table, names: readonly string[] | undefined): Hdf5Column[] {
  if (names === undefined) return table.columns
  return names.map((name) => {
    const found = table.columns.find((column) => column.name === name)
    if (found === undefined) {
      throw hdf5Error('NOT_FOUND', { file, object: table.path }, `no column ${name}`)
    }
    return found
  })
}

function normalize(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}
