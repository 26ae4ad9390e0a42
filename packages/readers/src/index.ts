export { type ByteSource, bytesSource, type FileSource, openFileSource } from './byte-source.js'
export { type CsvArrowOptions, csvArrowSchema, readCsvBatches, readCsvTable } from './csv/arrow.js'
export { DEFAULT_NULL_VALUES } from './csv/classify.js'
export type { CsvColumn, CsvColumnType } from './csv/infer.js'
export { type CsvOptions, type CsvScan, MAX_COLUMNS, scanCsv } from './csv/scan.js'
export { type FitsArrowOptions, fitsTableArrowSchema, fitsTableToArrow } from './fits/arrow.js'
export { fitsArrowSchema } from './fits/arrow-schema.js'
export {
  type AsciiColumn,
  type AsciiTableLayout,
  asciiTableLayout,
  decodeAsciiField,
} from './fits/ascii-table.js'
export { decodeBinaryField } from './fits/bintable-decode.js'
export {
  type BinaryColumn,
  type BinaryTableLayout,
  binaryTableLayout,
  type IntegerConvention,
} from './fits/bintable-layout.js'
export {
  CARD_LENGTH,
  type FitsCard,
  type FitsComplex,
  type FitsValue,
  parseCard,
  parseValueField,
} from './fits/card.js'
export { formatCards, formatReal } from './fits/card-format.js'
export { type ColumnData, type FieldData, toColumnData } from './fits/column-data.js'
export type { ColumnMeta } from './fits/column-meta.js'
export type { ColumnKind, NumericArray } from './fits/decode-elements.js'
export {
  BLOCK_LENGTH,
  type FitsHeader,
  headerNumber,
  headerString,
  headerValue,
  readHeader,
} from './fits/header.js'
export type { HeapSpan } from './fits/heap.js'
export {
  decodeImage,
  type FitsImage,
  type FitsImageInfo,
  imageInfo,
  type ReadImageOptions,
  readImage,
} from './fits/image.js'
export {
  type ReadTableOptions,
  readTableColumns,
  type TableColumn,
  type TableLayout,
  tableLayout,
} from './fits/read-table.js'
export {
  type FitsHdu,
  type FitsHduType,
  type FitsScan,
  type FitsTail,
  type ScanOptions,
  scanFits,
} from './fits/scan.js'
export type { Utf8Strings } from './fits/strings.js'
export {
  type AsciiForm,
  type BinaryForm,
  type ElementType,
  parseAsciiForm,
  parseBinaryForm,
  parseTdim,
} from './fits/tform.js'
export { type Hdf5ArrowOptions, hdf5TableArrowSchema, hdf5TableToArrow } from './hdf5/arrow.js'
export {
  type Hdf5AttributeValue,
  type Hdf5DatasetInfo,
  type Hdf5GroupInfo,
  type Hdf5Scan,
  scanHdf5,
} from './hdf5/scan.js'
export type { Hdf5Column, Hdf5ElementType, Hdf5Table, Hdf5TableSelection } from './hdf5/table.js'
export { DECODABLE_FILTERS, type Hdf5Filter, type Hdf5MemberType, type Hdf5Type } from './hdf5/types.js'
export {
  findHdf5Signature,
  HDF5_SIGNATURE,
  type Hdf5ByteOrder,
  type Hdf5Dataset,
  type Hdf5DatasetStorage,
  type Hdf5Datatype,
  type Hdf5Layout,
  type Hdf5Member,
  hasHdf5Signature,
  locateHdf5Datasets,
} from './hdf5-layout/index.js'
export { PARQUET_MAGIC } from './parquet/footer.js'
export {
  type ParquetInfo,
  type ParquetReadOptions,
  parquetSchema,
  readParquetBatches,
  readParquetInfo,
} from './parquet/read.js'
