import { createRequire } from 'node:module'
import { sourceDelimiter } from './layouts/csv.js'

export const TOOL_NAME = 'astropack'
const require = createRequire(import.meta.url)
export const TOOL_VERSION: string = require('../package.json').version

/** Provenance of a table in the manifest: what recognised it. Text tables are this package's own planner. */
export function tableReader(source: string): string {
  if (sourceDelimiter(source)) return `${TOOL_NAME} ${TOOL_VERSION}`
  return `@astropack/readers ${require('@astropack/readers/package.json').version}`
}
