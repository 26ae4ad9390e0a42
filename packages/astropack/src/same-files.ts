import { open } from 'node:fs/promises'
import { createSha256, type Sha256 } from '@astropack/codecs'
import { FIRST_READ_BYTES, type SourceFile } from './source-file.js'
import type { SourceEntry } from './walk.js'

/** Bytes compared at each end of two files of one size before either is hashed whole. */
const ENDS_BYTES = FIRST_READ_BYTES
/** Reads of a file hashed whole to compare it with an earlier one. */
const READ_BYTES = 4 * 1024 * 1024

interface Packed {
  entry: SourceEntry
  sha256: string
  /** The SHA-256 of its first and last bytes, once a later file of its size asked. */
  ends?: string
}

/**
 * Files packed so far, by size, to store a file identical to an earlier one as records of its chunks
 * (calibration frames copied into each observation's folder). Files of one size are common (every frame
 * of a camera), so their first and last 64 KiB are compared (by a hash of them, each file's read once)
 * before the new file is hashed whole; the SHA-256s of the whole files decide.
 */
export class SameFiles {
  readonly #bySize = new Map<number, Packed[]>()

  /** Records a packed file and the SHA-256 of the bytes packed. */
  add(entry: SourceEntry, sha256: string): void {
    if (entry.size === 0) return
    const list = this.#bySize.get(entry.size) ?? []
    list.push({ entry, sha256 })
    this.#bySize.set(entry.size, list)
  }

  /** The earlier file `entry` (open as `file`) is identical to, with their SHA-256, or undefined. */
  async original(
    entry: SourceEntry,
    file: SourceFile,
  ): Promise<{ path: string; sha256: string } | undefined> {
    const candidates = this.#bySize.get(entry.size)
    if (!candidates) return undefined
    if (entry.size <= ENDS_BYTES) {
      // In memory whole: its SHA-256 costs less than reading the candidates' ends.
      const sha256 = sha256Hex(file.head(ENDS_BYTES))
      const same = candidates.find((candidate) => candidate.sha256 === sha256)
      return same && { path: same.entry.path, sha256 }
    }
    const ends = await endsOf(file)
    let sha256: string | undefined
    for (const candidate of candidates) {
      candidate.ends ??= await readEnds(candidate.entry)
      if (candidate.ends !== ends) continue
      sha256 ??= await sha256Of(file)
      if (sha256 === candidate.sha256) return { path: candidate.entry.path, sha256 }
    }
    return undefined
  }
}

function sha256Hex(bytes: Uint8Array): string {
  const hash = createSha256()
  hash.update(bytes)
  return hash.digestHex()
}

/** The SHA-256 of the first and last ENDS_BYTES of a file being packed (larger than that). */
async function endsOf(file: SourceFile): Promise<string> {
  const hash = createSha256()
  hash.update(file.head(ENDS_BYTES))
  hash.update(await file.slice(file.byteLength - ENDS_BYTES, file.byteLength))
  return hash.digestHex()
}

/** The same for an earlier file, read again (one changed since hashes what it has, and differs). */
async function readEnds(entry: SourceEntry): Promise<string> {
  const hash = createSha256()
  const file = await open(entry.absolutePath, 'r')
  const read: ReadAt = async (into, at) => (await file.read(into, 0, into.byteLength, at)).bytesRead
  try {
    await hashRange(read, hash, 0, ENDS_BYTES)
    await hashRange(read, hash, entry.size - ENDS_BYTES, entry.size)
  } finally {
    await file.close()
  }
  return hash.digestHex()
}

async function sha256Of(file: SourceFile): Promise<string> {
  const hash = createSha256()
  await hashRange((into, at) => file.readInto(into, at).then(() => into.byteLength), hash, 0, file.byteLength)
  return hash.digestHex()
}

/** Reads into `into` from byte `at`; returns how many bytes it read (0 at the end). */
type ReadAt = (into: Uint8Array, at: number) => Promise<number>

/** Hashes bytes [from, to), READ_BYTES at a time; a read that ends early hashes what it has. */
async function hashRange(read: ReadAt, hash: Sha256, from: number, to: number): Promise<void> {
  const buffer = new Uint8Array(Math.min(READ_BYTES, to - from))
  for (let at = from; at < to; ) {
    const bytesRead = await read(buffer.subarray(0, Math.min(buffer.byteLength, to - at)), at)
    if (bytesRead === 0) return
    hash.update(buffer.subarray(0, bytesRead))
    at += bytesRead
  }
}
