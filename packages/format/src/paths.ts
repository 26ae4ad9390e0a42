import { AstropackError } from './errors.js'
import { LIMITS } from './spec.js'

const encoder = new TextEncoder()

/**
 * Why `path` cannot be an entry name, or undefined when it can. Entry names are relative, '/'-separated,
 * and can never resolve outside the folder they are unpacked into, on POSIX or Windows.
 */
export function entryPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'empty name'
  if (encoder.encode(path).byteLength > LIMITS.maxPathBytes) return `longer than ${LIMITS.maxPathBytes} bytes`
  if (path.includes('\0')) return 'contains NUL'
  if (path.includes('\\')) return 'contains a backslash'
  if (path.startsWith('/')) return 'absolute path'
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter'
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character'
  for (const part of path.split('/')) {
    if (part === '') return 'empty path component'
    if (part === '.' || part === '..') return `contains "${part}"`
  }
  return undefined
}

export function assertEntryPath(path: string): void {
  const problem = entryPathProblem(path)
  if (problem)
    throw new AstropackError('UNSAFE_PATH', `unsafe entry name ${JSON.stringify(path)}: ${problem}`)
}
