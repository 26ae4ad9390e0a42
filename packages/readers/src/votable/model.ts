/** How a table's rows are serialised inside its DATA element. */
export type VotableEncoding = 'TABLEDATA' | 'BINARY' | 'BINARY2' | 'FITS'

/** A FIELD (one column) as declared; every attribute kept as written. */
export interface VotableField {
  name: string
  ID?: string
  datatype: string
  /** `n`, `n*`, `*` or dimensions such as `2x3x*`; absent for a scalar. */
  arraysize?: string
  unit?: string
  ucd?: string
  utype?: string
  xtype?: string
  description?: string
  /** The `null` attribute of the field's VALUES (or of the VALUES its `ref` names): the text that means null. */
  nullValue?: string
}

/** A PARAM: a field with one constant value. */
export interface VotableParam extends VotableField {
  value: string
}

export interface VotableResource {
  /** Position among all RESOURCE elements, in document order. */
  index: number
  name?: string
  ID?: string
  type?: string
  description?: string
  /** The enclosing RESOURCE's index, for a nested one. */
  parent?: number
  params: VotableParam[]
}

export interface VotableTable {
  /** Position among all TABLE elements, in document order; `readVotableBatches({ table })` takes it. */
  index: number
  name?: string
  ID?: string
  /** The ID of the table whose FIELDs this one reuses (`<TABLE ref=..>`); `fields` are already those. */
  ref?: string
  description?: string
  /** Index of the RESOURCE holding it. */
  resource: number
  fields: VotableField[]
  params: VotableParam[]
  /** undefined when the table has no DATA. */
  encoding?: VotableEncoding
  /** TR elements of a TABLEDATA table; undefined without DATA and for the binary and FITS encodings. */
  rowCount?: number
}

/** How messages name a table: its name, else its ID, else its index in the file. */
export function tableLabel(table: VotableTable): string {
  return table.name ?? table.ID ?? String(table.index)
}

/** What the metadata pass over a VOTable document found. */
export interface VotableScan {
  /** The VOTABLE `version` attribute as written (`1.4`, or IRSA's `v1.0`). */
  version?: string
  description?: string
  /** PARAMs directly under VOTABLE. */
  params: VotableParam[]
  resources: VotableResource[]
  tables: VotableTable[]
}

/** Fields and params per table beyond this are taken for garbage (LIMIT_EXCEEDED). */
export const MAX_VOTABLE_FIELDS = 100_000
