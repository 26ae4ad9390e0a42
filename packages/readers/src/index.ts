export { type ByteSource, bytesSource, type FileSource, openFileSource } from './byte-source.js'
export { type CsvArrowOptions, csvArrowSchema, readCsvBatches, readCsvTable } from './csv/arrow.js'
export { DEFAULT_NULL_VALUES } from './csv/classify.js'
export type { CsvColumn, CsvColumnType } from './csv/infer.js'
export { type CsvDelimiter, type CsvOptions, type CsvScan, MAX_COLUMNS, scanCsv } from './csv/scan.js'
export { type EcsvArrowOptions, ecsvArrowSchema, readEcsvBatches } from './ecsv/arrow.js'
export {
  ECSV_DATATYPES,
  type EcsvColumn,
  type EcsvDatatype,
  type EcsvScan,
  MAX_ECSV_HEADER_BYTES,
  scanEcsv,
} from './ecsv/scan.js'
export { type FitsArrowOptions, fitsTableArrowSchema, fitsTableToArrow } from './fits/arrow.js'
export { fitsArrowSchema } from './fits/arrow-schema.js'
export * from './fits/index.js'
export {
  type FixedWidthArrowOptions,
  fixedWidthArrowSchema,
  readFixedWidthBatches,
} from './fixed-width/arrow.js'
export {
  FIXED_WIDTH_SAMPLE_BYTES,
  type FixedWidthField,
  type FixedWidthLayout,
  findFixedWidthTable,
  MIN_FIXED_WIDTH_LINES,
} from './fixed-width/layout.js'
export { type FixedWidthOptions, type FixedWidthScan, scanFixedWidth } from './fixed-width/scan.js'
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
export { readVotableBatches, type VotableArrowOptions, votableArrowSchema } from './votable/arrow.js'
export {
  MAX_VOTABLE_FIELDS,
  type VotableEncoding,
  type VotableField,
  type VotableParam,
  type VotableResource,
  type VotableScan,
  type VotableTable,
} from './votable/model.js'
export { scanVotable, type VotableScanOptions } from './votable/scan.js'
