import { type ErrorCode, isAstropackError } from '@astropack/codecs'
import { CommanderError } from 'commander'

export const EXIT_OK = 0
export const EXIT_INVALID = 1
export const EXIT_USAGE = 2

/** Mistakes in how the command was called, as opposed to a bad or unreadable package. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'USAGE',
  'BAD_LEVEL',
  'UNKNOWN_CODEC',
  'OUTPUT_EXISTS',
  'NOT_FOUND',
])

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE
  if (isAstropackError(error) && isUsageCode(error.code)) return EXIT_USAGE
  return EXIT_INVALID
}

export const isUsageCode = (code: ErrorCode): boolean => USAGE_CODES.has(code)

/** One line: the code and what went wrong. The stack only with --debug. */
export function describeError(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) return error.stack
  if (isAstropackError(error)) return `astropack: ${error.message} [${error.code}]`
  return `astropack: ${error instanceof Error ? error.message : String(error)}`
}
