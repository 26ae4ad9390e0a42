import { createHash } from 'node:crypto'

export interface Sha256 {
  update(data: Uint8Array): void
  /** Lowercase hex digest; the hasher cannot be used afterwards. */
  digestHex(): string
}

/** Incremental SHA-256: node:crypto runs at ~1.7 GB/s here (SHA-NI). */
export function createSha256(): Sha256 {
  const hash = createHash('sha256')
  return {
    update: (data) => {
      hash.update(data)
    },
    digestHex: () => hash.digest('hex'),
  }
}
