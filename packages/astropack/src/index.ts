/**
 * astropack: the high-level Node API, and a single import for the scoped packages it is built on.
 * The scoped packages stay usable alone (a browser app needs only @astropack/format).
 */
export * as codecs from '@astropack/codecs'
export { AstropackError, isAstropackError } from '@astropack/codecs'
export * as format from '@astropack/format'
export {
  type BatchItemResult,
  batchPackSurveys,
  packSurveyData,
  packWithCustomCompression,
  unpackSurveyData,
} from './api.js'
export {
  type ColumnRequirement,
  expectedSchemaProblems,
  schemaOf,
  type TableRequirement,
} from './expected-schema.js'
export { EntryByteSource, type EntrySourceStats } from './export/entry-source.js'
export {
  describeTable,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportTableOptions,
  type ExportTableResult,
  type ExportZipOptions,
  type ExportZipResult,
  exportPackage,
  exportTable,
  exportZip,
  TABLE_FORMATS,
  type TableChoice,
  type TableFormat,
} from './export/export.js'
export { type PackOptions, type PackResult, packFolder } from './pack.js'
export type { Progress } from './progress.js'
export { type UnpackOptions, type UnpackResult, unpackPackage } from './unpack.js'
export { type ValidateOptions, type ValidateResult, validatePackage } from './validate.js'
