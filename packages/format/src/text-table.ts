/**
 * Delimited text tables (CSV, TSV) stored as typed columns, rebuilt byte for byte (SPEC §7.2).
 * A group of whole lines becomes one chunk per column. Numbers whose text the standard ECMAScript
 * formatting reproduces exactly are stored as binary values; every other field is kept as an exception
 * with its original bytes, so nothing is ever changed. Both directions work on the bytes themselves
 * (see text-table/numbers.ts for why integer arithmetic gives ECMAScript's exact texts).
 */

export { NULL_FIELDS, TextChunkFlag, TextColumnKind, textChunkFeatures } from './text-table/chunk.js'
export { type Column, Mode, readColumn } from './text-table/column-chunk.js'
export { joinTextGroup } from './text-table/decode.js'
export { readDictionary } from './text-table/dictionary.js'
export { splitTextGroup } from './text-table/encode.js'
export { fixedLinesEnd } from './text-table/fields.js'
export { GridStyle, gridDigits, gridTerms } from './text-table/grid.js'
export { MAX_NUMBER_TEXT, type ShortFirst, writeFloat64Text } from './text-table/numbers.js'
export { predictTextColumns, resolvePredicted } from './text-table/predicted.js'
export { applyTextRanks, findTextRanks, rankTextColumns } from './text-table/ranked.js'
