import { createSha256, type ErrorCode, isAstropackError } from '@astropack/codecs'
import { AstropackError } from './errors.js'
import type { EntryRecord } from './index-sections.js'
import type { Manifest } from './manifest.js'
import { MAX_COALESCED_READ, PackageReader } from './reader.js'
import type { ByteSource } from './source.js'

export interface Problem {
  code: ErrorCode
  message: string
  /** The entry the problem is in, when it is in one. */
  entry?: string
  /** Byte offset in the package of the damaged region, when known. */
  offset?: number
}

export interface VerifyOptions {
  /** Also decode every chunk and check each file's SHA-256 (slower). Default: checksums only. */
  full?: boolean
  onProgress?: (done: number, total: number) => void
  /** How full verification decodes an entry; default: in order, on this thread. */
  decodeEntry?: EntryDecoder
}

/** Produces an entry's original bytes, in order, for `consume`: how full verification reads entries. */
export type EntryDecoder = (
  reader: PackageReader,
  entry: EntryRecord,
  consume: (bytes: Uint8Array) => void,
) => Promise<void>

/** The default decoder: one chunk after another on this thread (a Node caller can pass a parallel one). */
const decodeInOrder: EntryDecoder = async (reader, entry, consume) => {
  for await (const part of reader.readEntryChunks(entry.path)) consume(part)
}

export interface VerifyResult {
  isValid: boolean
  /** The manifest, when the index could be read. */
  manifest?: Manifest
  problems: Problem[]
  entries: number
  /** Bytes of stored chunk data checked. */
  storedBytes: number
}

/**
 * Checks a whole package and reports every problem found with where it is, rather than stopping at the
 * first. Quick mode checks header, trailer, index and every chunk checksum without decompressing.
 */
export async function verifyPackage(source: ByteSource, options: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: Problem[] = []
  let reader: PackageReader
  try {
    reader = await PackageReader.open(source, { checkHeader: true })
  } catch (error) {
    problems.push(toProblem(error))
    return { isValid: false, problems, entries: 0, storedBytes: 0 }
  }
  const total = reader.chunks.reduce((sum, chunk) => sum + chunk.storedSize, 0)
  let done = 0
  // Quick checks read every chunk once and keep none: one read buffer serves them all.
  const scratch = options.full ? undefined : new Uint8Array(Math.min(MAX_COALESCED_READ, total))
  for (const entry of reader.entries) {
    if (entry.kind !== 'file') continue
    const indexes = reader.chunkIndexes(entry)
    try {
      if (options.full) {
        // Full: the entry's bytes exactly as unpack would produce them (segments rebuilt), then SHA-256.
        const hash = createSha256()
        await (options.decodeEntry ?? decodeInOrder)(reader, entry, (bytes) => hash.update(bytes))
        const actual = hash.digestHex()
        if (actual !== entry.sha256) {
          problems.push({
            code: 'CHECKSUM_MISMATCH',
            message: `SHA-256 of ${entry.path} is ${actual}, expected ${entry.sha256}`,
            entry: entry.path,
          })
        }
        done += reader.storedBytes(indexes)
        options.onProgress?.(done, total)
      } else {
        for await (const { chunk } of reader.readStored(indexes, scratch)) {
          done += chunk.storedSize
          options.onProgress?.(done, total)
        }
      }
    } catch (error) {
      problems.push({ ...toProblem(error), entry: entry.path })
    }
  }
  return {
    isValid: problems.length === 0,
    manifest: reader.manifest,
    problems,
    entries: reader.entries.length,
    storedBytes: total,
  }
}

function toProblem(error: unknown): Problem {
  if (isAstropackError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.offset === undefined ? {} : { offset: error.offset }),
    }
  }
  if (error instanceof Error) return { code: 'IO', message: error.message }
  throw new AstropackError('IO', String(error))
}
