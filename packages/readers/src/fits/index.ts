/**
 * The FITS reader without Arrow (`@astropack/readers/fits`): headers, HDU scans, table layouts, images and
 * column decoding. What packing loads to plan a FITS file; Apache Arrow (146 modules) loads only with the
 * main entry's `fitsTableToArrow`.
 */
export { type ByteSource, bytesSource, type FileSource, openFileSource } from '../byte-source.js'
export {
  type AsciiColumn,
  type AsciiTableLayout,
  asciiTableLayout,
  decodeAsciiField,
} from './ascii-table.js'
export { decodeBinaryField } from './bintable-decode.js'
export {
  type BinaryColumn,
  type BinaryTableLayout,
  binaryTableLayout,
  type IntegerConvention,
} from './bintable-layout.js'
export {
  CARD_LENGTH,
  type FitsCard,
  type FitsComplex,
  type FitsValue,
  parseCard,
  parseValueField,
} from './card.js'
export { formatCards, formatReal } from './card-format.js'
export { type ColumnData, type FieldData, toColumnData } from './column-data.js'
export type { ColumnMeta } from './column-meta.js'
export type { ColumnKind, NumericArray } from './decode-elements.js'
export {
  BLOCK_LENGTH,
  type FitsHeader,
  headerNumber,
  headerString,
  headerValue,
  readHeader,
} from './header.js'
export type { HeapSpan } from './heap.js'
export {
  decodeImage,
  type FitsImage,
  type FitsImageInfo,
  imageInfo,
  type ReadImageOptions,
  readImage,
} from './image.js'
export {
  type ReadTableOptions,
  readTableColumns,
  type TableColumn,
  type TableLayout,
  tableLayout,
} from './read-table.js'
export {
  type FitsHdu,
  type FitsHduType,
  type FitsScan,
  type FitsTail,
  type ScanOptions,
  scanFits,
} from './scan.js'
export type { Utf8Strings } from './strings.js'
export {
  type AsciiForm,
  type BinaryForm,
  type ElementType,
  parseAsciiForm,
  parseBinaryForm,
  parseTdim,
} from './tform.js'
