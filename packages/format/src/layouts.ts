/**
 * `@astropack/format/layouts`: how table segments split into column chunks and join back, with nothing of
 * the reader's (no ajv): what codec workers load. Importing the whole package cost each worker ~10 MiB RSS.
 */

export { concatBytes } from './bytes.js'
export { RANKED } from './ranks.js'
export { type ColumnSlice, joinRows, splitRows } from './rows.js'
export {
  applyRowPredictions,
  findRowPredictions,
  isFloatColumn,
  isPredictedRows,
  type NumberColumn,
  predictRowColumns,
  type RowPrediction,
  resolvePredictedRows,
} from './rows-predicted.js'
export { DEFAULT_CHUNK_SIZE, FEATURE_PREDICTED_ROWS, FEATURE_RANKED_COLUMNS } from './spec.js'
export {
  applyTextRanks,
  type Column,
  findTextRanks,
  fixedLinesEnd,
  GridStyle,
  gridDigits,
  gridTerms,
  joinTextGroup,
  Mode,
  NULL_FIELDS,
  predictTextColumns,
  readColumn,
  readDictionary,
  splitTextGroup,
  TextColumnKind,
  textChunkFeatures,
} from './text-table.js'
