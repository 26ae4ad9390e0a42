import type { Codec, CodecName } from './codec.js'
import { AstropackError } from './errors.js'

/** Codecs are loaded on first use, so a reader that never meets lz4 never loads its native addon. */
const loaders: Record<CodecName, () => Promise<Codec>> = {
  none: async () => (await import('./none.js')).none,
  zstd: async () => (await import('./zstd.js')).zstd,
  lz4: async () => (await import('./lz4/lz4.js')).lz4,
  gzip: async () => (await import('./gzip.js')).gzip,
}

const loaded = new Map<CodecName, Promise<Codec>>()

export const codecNames = Object.keys(loaders) as CodecName[]

export function isCodecName(name: string): name is CodecName {
  return Object.hasOwn(loaders, name)
}

export function loadCodec(name: string): Promise<Codec> {
  if (!isCodecName(name)) {
    return Promise.reject(new AstropackError('UNKNOWN_CODEC', `unknown codec "${name}" (known: ${codecNames.join(', ')})`))
  }
  let codec = loaded.get(name)
  if (!codec) {
    codec = loaders[name]()
    // Never cache a rejected promise: a failed load may succeed on retry.
    codec.catch(() => loaded.delete(name))
    loaded.set(name, codec)
  }
  return codec
}

/** Checks a level against the codec's range and fills in its default. */
export function resolveLevel(codec: Codec, level?: number): number {
  if (level === undefined) return codec.levels.default
  if (!Number.isInteger(level) || level < codec.levels.min || level > codec.levels.max) {
    throw new AstropackError(
      'BAD_LEVEL',
      `${codec.name} level must be an integer from ${codec.levels.min} to ${codec.levels.max}, got ${level}`,
    )
  }
  return level
}
