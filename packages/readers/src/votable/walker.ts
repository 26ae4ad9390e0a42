import { AstropackError } from '@astropack/codecs'
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import {
  MAX_VOTABLE_FIELDS,
  tableLabel,
  type VotableEncoding,
  type VotableField,
  type VotableParam,
  type VotableScan,
  type VotableTable,
} from './model.js'

/** Receives the rows of tables as the parser meets them. */
export interface RowSink {
  /** A table's DATA starts; return true to be given its cells' or STREAM's text (false: rows are only counted). */
  data(table: VotableTable, encoding: VotableEncoding): boolean
  /** A TABLEDATA cell. */
  cell(text: string): void
  /** A TABLEDATA row ended. */
  row(): void
  /** A piece of the base64 text of a BINARY or BINARY2 STREAM. */
  stream(text: string): void
  streamEnd(): void
  /** The table's element closed (also called for a table without DATA). */
  tableEnd(table: VotableTable): void
}

const ENCODINGS = new Set<string>(['TABLEDATA', 'BINARY', 'BINARY2', 'FITS'])
const DESCRIBED = new Set(['VOTABLE', 'RESOURCE', 'TABLE', 'FIELD', 'PARAM'])

/**
 * saxes 6 keeps the text of an element until the next markup: a STREAM's text would be held whole. After
 * each write, text it holds in its plain-text state (13) is taken from it and handed on, so memory holds
 * one slice of the stream, whatever its size.
 */
interface SaxesTextBuffer {
  text: string
  state: number
}
const SAXES_TEXT_STATE = 13

/** The element name without a namespace prefix (`vot:TABLE` is a TABLE). */
function local(name: string): string {
  const colon = name.indexOf(':')
  return colon < 0 ? name : name.slice(colon + 1)
}

function fieldOf(attributes: Record<string, string>): VotableField {
  const field: VotableField = {
    name: attributes.name ?? attributes.ID ?? '',
    datatype: attributes.datatype ?? '',
  }
  for (const key of ['ID', 'arraysize', 'unit', 'ucd', 'utype', 'xtype'] as const) {
    const value = attributes[key]
    if (value !== undefined) field[key] = value
  }
  return field
}

/**
 * Walks a VOTable document with saxes: collects resources, tables, fields and params into a VotableScan
 * and hands TABLEDATA cells and BINARY/BINARY2 STREAM text to a RowSink. Text is fed in pieces (`write`), so the document is never whole in
 * memory; saxes expands only XML's five predefined entities and character references, never DTD entities.
 */
export class VotableWalker {
  readonly scan: VotableScan = { params: [], resources: [], tables: [] }
  readonly #parser = new SaxesParser({ position: true })
  readonly #sink: RowSink
  readonly #maxCellChars: number
  /** Local names of the open elements. */
  readonly #stack: string[] = []
  readonly #resources: number[] = []
  #table: VotableTable | undefined
  /** The FIELD or PARAM whose DESCRIPTION and VALUES are being read. */
  #field: VotableField | undefined
  /** VALUES elements with an ID: their null attribute, for `<VALUES ref=..>`. */
  readonly #valuesById = new Map<string, string | undefined>()
  readonly #valuesRefs: [VotableField, string][] = []
  #description: string | undefined
  #collecting = false
  #cell = ''
  #cellOpen = false
  #streamOpen = false
  #rootSeen = false

  constructor(sink: RowSink, maxCellChars: number) {
    this.#sink = sink
    this.#maxCellChars = maxCellChars
    const parser = this.#parser
    parser.on('opentag', (tag) => this.#open(tag as SaxesTagPlain))
    parser.on('closetag', (tag) => this.#close(local(tag.name)))
    parser.on('text', (text) => this.#text(text))
    parser.on('cdata', (text) => this.#text(text))
  }

  /** Where the parser is, for messages. */
  get position(): string {
    return `line ${this.#parser.line}, column ${this.#parser.column}`
  }

  write(text: string): void {
    this.#guard(() => this.#parser.write(text))
    const held = this.#parser as unknown as SaxesTextBuffer
    if (this.#streamOpen && held.state === SAXES_TEXT_STATE && held.text.length > 0) {
      const piece = held.text
      held.text = ''
      this.#sink.stream(piece)
    }
  }

  close(): void {
    this.#guard(() => this.#parser.close())
    if (!this.#rootSeen) throw new AstropackError('BAD_MAGIC', 'VOTable: the document has no root element')
  }

  #guard(run: () => void): void {
    try {
      run()
    } catch (error) {
      if (error instanceof AstropackError) throw error
      // saxes reports malformed XML as `line:column: message`.
      throw new AstropackError('CORRUPT_CHUNK', `VOTable XML is malformed at ${(error as Error).message}`, {
        cause: error,
      })
    }
  }

  #open(tag: SaxesTagPlain): void {
    const name = local(tag.name)
    const attributes = tag.attributes as Record<string, string>
    const parent = this.#stack[this.#stack.length - 1]
    this.#stack.push(name)
    if (parent === undefined) {
      this.#rootSeen = true
      if (name !== 'VOTABLE')
        throw new AstropackError('BAD_MAGIC', `VOTable: the root element is <${tag.name}>, not <VOTABLE>`)
      if (attributes.version !== undefined) this.scan.version = attributes.version
      return
    }
    if (this.#cellOpen) return
    switch (name) {
      case 'RESOURCE': {
        const index = this.scan.resources.length
        const parentIndex = this.#resources[this.#resources.length - 1]
        this.scan.resources.push({
          index,
          ...pick(attributes, ['name', 'ID', 'type']),
          ...(parentIndex === undefined ? {} : { parent: parentIndex }),
          params: [],
        })
        this.#resources.push(index)
        return
      }
      case 'TABLE': {
        const resource = this.#resources[this.#resources.length - 1] ?? -1
        this.#table = {
          index: this.scan.tables.length,
          ...pick(attributes, ['name', 'ID', 'ref']),
          resource,
          fields: [],
          params: [],
        }
        this.scan.tables.push(this.#table)
        return
      }
      case 'FIELD':
        if (parent === 'TABLE' && this.#table !== undefined) {
          this.#field = fieldOf(attributes)
          this.#add(this.#table.fields, this.#field)
        }
        return
      case 'PARAM': {
        const param: VotableParam = { ...fieldOf(attributes), value: attributes.value ?? '' }
        this.#field = param
        const resource = this.scan.resources[this.#resources[this.#resources.length - 1] ?? -1]
        this.#add(this.#table?.params ?? resource?.params ?? this.scan.params, param)
        return
      }
      case 'VALUES':
        if (parent === 'FIELD' || parent === 'PARAM') {
          if (attributes.ID !== undefined) this.#valuesById.set(attributes.ID, attributes.null)
          if (this.#field === undefined) return
          if (attributes.null !== undefined) this.#field.nullValue = attributes.null
          else if (attributes.ref !== undefined) this.#valuesRefs.push([this.#field, attributes.ref])
        }
        return
      case 'DESCRIPTION':
        if (DESCRIBED.has(parent)) this.#description = ''
        return
      case 'TR':
        return
      case 'STREAM':
        if (this.#collecting && (parent === 'BINARY' || parent === 'BINARY2')) this.#stream(attributes)
        return
      case 'TD':
        if (this.#collecting) {
          this.#cell = ''
          this.#cellOpen = true
        }
        return
      default:
        if (parent === 'DATA' && ENCODINGS.has(name) && this.#table !== undefined)
          this.#data(name as VotableEncoding)
    }
  }

  #data(encoding: VotableEncoding): void {
    const table = this.#table as VotableTable
    table.encoding = encoding
    if (encoding === 'TABLEDATA') table.rowCount = 0
    this.#resolveRefs()
    this.#collecting = this.#sink.data(table, encoding)
  }

  /** Inline base64 is read; a STREAM pointing elsewhere, or otherwise encoded, is refused. */
  #stream(attributes: Record<string, string>): void {
    const table = this.#table as VotableTable
    const name = tableLabel(table)
    if (attributes.href !== undefined) {
      throw new AstropackError(
        'UNSUPPORTED_FEATURE',
        `VOTable table ${name}: the STREAM's data is elsewhere (href ${JSON.stringify(attributes.href.slice(0, 200))}); only inline data is read`,
      )
    }
    if (attributes.encoding !== 'base64') {
      throw new AstropackError(
        'UNSUPPORTED_FEATURE',
        `VOTable table ${name}: STREAM encoding ${JSON.stringify(attributes.encoding ?? 'none')} is not read; only base64`,
      )
    }
    this.#streamOpen = true
  }

  #close(name: string): void {
    this.#stack.pop()
    const parent = this.#stack[this.#stack.length - 1] ?? ''
    switch (name) {
      case 'TD':
        if (this.#cellOpen) {
          this.#cellOpen = false
          this.#sink.cell(this.#cell)
        }
        return
      case 'TR':
        if (parent === 'TABLEDATA' && this.#table !== undefined) {
          ;(this.#table.rowCount as number)++
          if (this.#collecting) this.#sink.row()
        }
        return
      case 'TABLEDATA':
      case 'BINARY':
      case 'BINARY2':
        this.#collecting = false
        return
      case 'STREAM':
        if (this.#streamOpen) {
          this.#streamOpen = false
          this.#sink.streamEnd()
        }
        return
      case 'DESCRIPTION': {
        if (this.#description === undefined) return
        const text = this.#description.trim().replace(/\s+/g, ' ')
        this.#description = undefined
        if (parent === 'VOTABLE') this.scan.description = text
        else if (parent === 'RESOURCE') {
          const resource = this.scan.resources[this.#resources[this.#resources.length - 1] ?? -1]
          if (resource !== undefined) resource.description = text
        } else if (parent === 'TABLE' && this.#table !== undefined) this.#table.description = text
        else if (this.#field !== undefined) this.#field.description = text
        return
      }
      case 'FIELD':
      case 'PARAM':
        this.#field = undefined
        return
      case 'TABLE': {
        const table = this.#table
        if (table === undefined) return
        this.#resolveRefs()
        this.#table = undefined
        this.#sink.tableEnd(table)
        return
      }
      case 'RESOURCE':
        this.#resources.pop()
    }
  }

  #text(text: string): void {
    if (this.#streamOpen) this.#sink.stream(text)
    else if (this.#cellOpen) {
      this.#cell = this.#cell === '' ? text : this.#cell + text
      if (this.#cell.length > this.#maxCellChars) {
        throw new AstropackError(
          'LIMIT_EXCEEDED',
          `VOTable ${this.position}: a TD holds more than ${this.#maxCellChars} characters`,
        )
      }
    } else if (this.#description !== undefined && this.#description.length < 65_536) {
      this.#description += text
    }
  }

  /** A TABLE ref or VALUES ref names an element met before the data; resolve them as the data starts. */
  #resolveRefs(): void {
    const table = this.#table
    if (table?.ref !== undefined && table.fields.length === 0) {
      table.fields = this.scan.tables.find((other) => other.ID === table.ref)?.fields ?? []
    }
    for (const [field, ref] of this.#valuesRefs) {
      const nullValue = this.#valuesById.get(ref)
      if (nullValue !== undefined) field.nullValue = nullValue
    }
    this.#valuesRefs.length = 0
  }

  #add<T>(list: T[], item: T): void {
    if (list.length >= MAX_VOTABLE_FIELDS) {
      throw new AstropackError(
        'LIMIT_EXCEEDED',
        `VOTable ${this.position}: more than ${MAX_VOTABLE_FIELDS} FIELDs or PARAMs`,
      )
    }
    list.push(item)
  }
}

function pick(attributes: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of keys) if (attributes[key] !== undefined) out[key] = attributes[key]
  return out
}
