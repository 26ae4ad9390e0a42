import type { Codec, CodecName } from './codec.js'
import { AstropackError } from './errors.js'

export type Loaders = Readonly<Record<CodecName, () => Promise<Codec>>>

export interface Registry {
  readonly codecNames: CodecName[]
  isCodecName(name: string): name is CodecName
  /** Loads a codec on first use; the promise resolves only once the codec is ready (wasm included). */
  loadCodec(name: string): Promise<Codec>
}

/** One registry behaviour over two sets of loaders: Node's native codecs and the browser's wasm/JS ones. */
export function createRegistry(loaders: Loaders): Registry {
  const loaded = new Map<CodecName, Promise<Codec>>()
  const codecNames = Object.keys(loaders) as CodecName[]
  const isCodecName = (name: string): name is CodecName => Object.hasOwn(loaders, name)

  function loadCodec(name: string): Promise<Codec> {
    if (!isCodecName(name)) {
      const known = codecNames.join(', ')
      return Promise.reject(new AstropackError('UNKNOWN_CODEC', `unknown codec "${name}" (known: ${known})`))
    }
    let codec = loaded.get(name)
    if (!codec) {
      const pending = loaders[name]()
      // Never cache a rejected promise: a failed load may succeed on retry.
      pending.catch(() => {
        if (loaded.get(name) === pending) loaded.delete(name)
      })
      loaded.set(name, pending)
      codec = pending
    }
    return codec
  }

  return { codecNames, isCodecName, loadCodec }
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
