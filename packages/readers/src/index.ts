export { type ByteSource, bytesSource, type FileSource, openFileSource } from './byte-source.js'
export { type CsvArrowOptions, csvArrowSchema, readCsvBatches, readCsvTable } from './csv/arrow.js'
export { DEFAULT_NULL_VALUES } from './csv/classify.js'
export type { CsvColumn, CsvColumnType } from './csv/infer.js'
export { type CsvOptions, type CsvScan, MAX_COLUMNS, scanCsv } from './csv/scan.js'
export { type FitsArrowOptions, fitsTableArrowSchema, fitsTableToArrow } from './fits/arrow.js'
export { fitsArrowSchema } from './fits/arrow-schema.js'
export * from './fits/index.js'
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
