/**
 * `@astropack/readers/csv-kinds`: what the CSV and fixed-width readers infer a column's type from, over
 * bytes in memory, without Apache Arrow: a packer's workers classify the fields of a text table's groups
 * with it, so the manifest gives each column the type export will read it as.
 */
import { isAstropackError } from '@astropack/codecs'
import { type FieldClassifier, TEXT } from './classify.js'
import { kindBit } from './infer.js'
import { FieldSpans, tokenizeRecord } from './tokenize.js'

export {
  BOOL,
  DEFAULT_NULL_VALUES,
  FieldClassifier,
  FLOAT,
  INT_HUGE,
  INT32,
  INT53,
  INT64,
  type Kind,
  NAN_NULL,
  NULL,
  TEXT,
} from './classify.js'
export { type CsvColumnType, columnType, kindBit } from './infer.js'
export type { FieldSpans } from './tokenize.js'

const TEXT_BIT = 1 << TEXT
const LF = 10
const CR = 13

/**
 * Calls `visit` with each record of `bytes` as the CSV reader tokenizes it (the fields' spans between their
 * quotes; blank lines are no record) until it returns false. False when it did, or when the reader would
 * refuse the bytes: a quote left open, text after a closing quote.
 */
export function eachCsvRecord(
  bytes: Uint8Array,
  delimiter: number,
  visit: (spans: FieldSpans) => boolean,
): boolean {
  const spans = new FieldSpans()
  const place = { bufferOffset: 0, row: 1 }
  try {
    for (let at = 0; at < bytes.byteLength; place.row++) {
      // The buffer's end ends the last record (atEnd): the bytes are all there is.
      at = tokenizeRecord(bytes, at, true, delimiter, spans, Number.POSITIVE_INFINITY, place)
      if (!spans.isBlank() && !visit(spans)) return false
    }
  } catch (error) {
    if (isAstropackError(error)) return false
    throw error
  }
  return true
}

/**
 * The kinds (kindBit's bits, OR-ed) of each column's fields in the records of `bytes`, classified as the CSV
 * reader does (null spellings, numbers' ranges); undefined when a record has another number of fields or
 * the reader would refuse the bytes. Fields of a column already found to be text are not classified again.
 */
export function csvFieldKinds(
  bytes: Uint8Array,
  delimiter: number,
  columnCount: number,
  classifier: FieldClassifier,
): Uint16Array | undefined {
  const seen = new Uint16Array(columnCount)
  const read = eachCsvRecord(bytes, delimiter, (spans) => {
    if (spans.count !== columnCount) return false
    for (let c = 0; c < columnCount; c++)
      if (!(seen[c]! & TEXT_BIT))
        seen[c]! |= kindBit(classifier.classify(bytes, spans.starts[c]!, spans.ends[c]!))
    return true
  })
  return read ? seen : undefined
}

/**
 * The kinds (OR-ed) of fields written one to a line, as the fixed-width reader classifies its fields:
 * each line whole (less a CR before its LF), blanks around it ignored, no quoting.
 */
export function lineFieldKinds(bytes: Uint8Array, classifier: FieldClassifier): number {
  let seen = 0
  for (let start = 0; start < bytes.byteLength && !(seen & TEXT_BIT); ) {
    const at = bytes.indexOf(LF, start)
    let end = at === -1 ? bytes.byteLength : at
    if (end > start && bytes[end - 1] === CR) end--
    seen |= kindBit(classifier.classify(bytes, start, end))
    if (at === -1) break
    start = at + 1
  }
  return seen
}
