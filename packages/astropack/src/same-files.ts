import { open } from 'node:fs/promises'
import { createSha256 } from '@astropack/codecs'
import type { SourceEntry } from './walk.js'

/** Bytes compared at each end of two files of one size before either is hashed whole. */
const ENDS_BYTES = 64 * 1024
/** Reads of a file hashed whole to compare it with an earlier one. */
const READ_BYTES = 4 * 1024 * 1024

interface Packed {
  entry: SourceEntry
  sha256: string
}

/**
 * Files packed so far, by size, to store a file identical to an earlier one as records of its chunks
 * (calibration frames copied into each observation's folder). Files of one size are common (every frame
 * of a camera), so the first and last 64 KiB are compared before the new file is hashed whole; the
 * SHA-256s, not the bytes looked at, decide.
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
      if (!sameBytes(ends, await endsOf(candidate.entry))) continue
      sha256 ??= await sha256Of(entry)
      if (sha256 === candidate.sha256) return { path: candidate.entry.path, sha256 }
    }
    return undefined
  }
}

async function endsOf(entry: SourceEntry): Promise<Uint8Array> {
  const length = Math.min(entry.size, ENDS_BYTES)
  const bytes = new Uint8Array(2 * length)
  const file = await open(entry.absolutePath, 'r')
  try {
    await file.read(bytes, 0, length, 0)
    await file.read(bytes, length, length, entry.size - length)
  } finally {
    await file.close()
  }
  return bytes
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

async function sha256Of(entry: SourceEntry): Promise<string> {
  const hash = createSha256()
  const buffer = new Uint8Array(Math.min(READ_BYTES, entry.size))
  const file = await open(entry.absolutePath, 'r')
  try {
    for (let at = 0; at < entry.size; ) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.byteLength, entry.size - at), at)
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
      at += bytesRead
    }
  } finally {
    await file.close()
  }
  return hash.digestHex()
}
