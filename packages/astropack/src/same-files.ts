import { type FileHandle, open } from 'node:fs/promises'
import { createSha256, type Sha256 } from '@astropack/codecs'
import type { SourceEntry } from './walk.js'

/** Bytes compared at each end of two files of one size before either is hashed whole. */
const ENDS_BYTES = 64 * 1024
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

  /** The earlier file `entry` is identical to, with their SHA-256, or undefined. */
  async original(entry: SourceEntry): Promise<{ path: string; sha256: string } | undefined> {
    const candidates = this.#bySize.get(entry.size)
    if (!candidates) return undefined
    const ends = await endsOf(entry)
    let sha256: string | undefined
    for (const candidate of candidates) {
      candidate.ends ??= await endsOf(candidate.entry)
      if (candidate.ends !== ends) continue
      sha256 ??= await sha256Of(entry)
      if (sha256 === candidate.sha256) return { path: candidate.entry.path, sha256 }
    }
    return undefined
  }
}

/** The SHA-256 of a file's first and last ENDS_BYTES (the whole of a small file). */
async function endsOf(entry: SourceEntry): Promise<string> {
  const length = Math.min(entry.size, ENDS_BYTES)
  const hash = createSha256()
  const file = await open(entry.absolutePath, 'r')
  try {
    await hashRange(file, hash, 0, length)
    await hashRange(file, hash, entry.size - length, entry.size)
  } finally {
    await file.close()
  }
  return hash.digestHex()
}

async function sha256Of(entry: SourceEntry): Promise<string> {
  const hash = createSha256()
  const file = await open(entry.absolutePath, 'r')
  try {
    await hashRange(file, hash, 0, entry.size)
  } finally {
    await file.close()
  }
  return hash.digestHex()
}

/** Hashes bytes [from, to) of a file, READ_BYTES at a time; a file cut short hashes what it has. */
async function hashRange(file: FileHandle, hash: Sha256, from: number, to: number): Promise<void> {
  const buffer = new Uint8Array(Math.min(READ_BYTES, to - from))
  for (let at = from; at < to; ) {
    const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.byteLength, to - at), at)
    if (bytesRead === 0) return
    hash.update(buffer.subarray(0, bytesRead))
    at += bytesRead
  }
}
