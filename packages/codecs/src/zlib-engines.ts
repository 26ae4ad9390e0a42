import type { Transform } from 'node:stream'

/** The part of a node:zlib stream that its own sync functions drive. */
interface ZlibInternals {
  _handle?: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOffset: number,
      inLength: number,
      output: Uint8Array,
      outOffset: number,
      outLength: number,
    ): void
    reset(): void
    init(...args: unknown[]): void
    close(): void
    onerror: (message: string, errno: number, code: string) => void
  }
  /** [output bytes left, input bytes left] after each writeSync. */
  _writeState?: Uint32Array
  _finishFlushFlag: number
}

/** What a run did: bytes written to `into`, input bytes not consumed (after the end of a frame). */
export interface EngineRun {
  written: number
  leftover: number
}

/** The native handle of a node:zlib stream, as an engine drives it. */
export type ZlibHandle = NonNullable<ZlibInternals['_handle']>

/**
 * Readies a handle for the next frame. The default, reset(), keeps a gzip stream's settings, but gives a
 * zstd compressor a new context with zstd's default parameters: such engines pass their own.
 */
export type Restart = (handle: ZlibHandle, writeState: Uint32Array) => void

/** Thrown by run() when the output does not fit `into`. */
export class OutputFull extends Error {}

/**
 * One node:zlib engine (zstd or gzip, compress or decompress), driven the way node:zlib's own sync path
 * drives it, but writing straight into the caller's buffer and reset for the next frame instead of closed.
 * node:zlib's sync functions build a new native context and fresh output buffers per call: per 4 MiB chunk
 * that is megabytes of short-lived memory, which inflated each codec worker's RSS by tens of MiB.
 * If a Node version changes these internals, `create` returns undefined and callers use the sync API.
 */
export class ZlibEngine {
  readonly #make: () => Transform
  readonly #restart: Restart
  #stream: ZlibInternals | undefined
  #error: Error | undefined
  static readonly #scratch = new Uint8Array(64)

  private constructor(make: () => Transform, restart: Restart) {
    this.#make = make
    this.#restart = restart
  }

  /** An engine made by `make` (e.g. `() => zlib.createZstdCompress(options)`), if these internals exist. */
  static create(
    make: () => Transform,
    restart: Restart = (handle) => handle.reset(),
  ): ZlibEngine | undefined {
    const engine = new ZlibEngine(make, restart)
    return engine.#open() ? engine : undefined
  }

  #open(): ZlibInternals | undefined {
    const stream = this.#make() as unknown as ZlibInternals
    const handle = stream._handle
    if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function') return undefined
    if (typeof handle.init !== 'function') return undefined
    if (!(stream._writeState instanceof Uint32Array)) return undefined
    handle.onerror = (message, _errno, code) => {
      this.#error = new Error(`${message} (${code})`)
    }
    this.#stream = stream
    return stream
  }

  /**
   * Runs one whole input (one frame) through the engine into `into`. One call does it when `into` has
   * room (node:zlib's own sync path only calls again when the output filled up); when `into` is full, a
   * call with a small scratch buffer tells whether the frame ended exactly there.
   */
  run(input: Uint8Array, into: Uint8Array): EngineRun {
    const stream = this.#stream ?? this.#open()!
    const handle = stream._handle!
    const state = stream._writeState!
    const flush = stream._finishFlushFlag
    this.#error = undefined
    try {
      handle.writeSync(flush, input, 0, input.byteLength, into, 0, into.byteLength)
      if (this.#error) throw this.#error
      const written = into.byteLength - state[0]!
      let leftover = state[1]!
      if (state[0] === 0) {
        const scratch = ZlibEngine.#scratch
        handle.writeSync(flush, input, input.byteLength - leftover, leftover, scratch, 0, scratch.byteLength)
        if (this.#error) throw this.#error
        if (state[0]! < scratch.byteLength) throw new OutputFull('output larger than the room given')
        leftover = state[1]!
      }
      this.#restart(handle, state)
      return { written, leftover }
    } catch (error) {
      // A failed engine is not trusted again: the next run gets a new one.
      handle.close()
      this.#stream = undefined
      throw error
    }
  }
}

/** One compressor (for the last level used) and one decompressor, kept per thread. */
export interface EngineCache {
  compressor(level: number): ZlibEngine | undefined
  decompressor(): ZlibEngine | undefined
}

export function engineCache(
  makeCompressor: (level: number) => Transform,
  makeDecompressor: () => Transform,
  restartCompressor?: (level: number) => Restart,
): EngineCache {
  let compressor: { level: number; engine: ZlibEngine | undefined } | undefined
  let decompressor: { engine: ZlibEngine | undefined } | undefined
  return {
    compressor(level) {
      if (compressor?.level !== level)
        compressor = {
          level,
          engine: ZlibEngine.create(() => makeCompressor(level), restartCompressor?.(level)),
        }
      return compressor.engine
    },
    decompressor() {
      decompressor ??= { engine: ZlibEngine.create(makeDecompressor) }
      return decompressor.engine
    },
  }
}

/** Below this, a reused engine saves nothing worth the bookkeeping. */
const MIN_ENGINE_BYTES = 64

/** One frame of `raw` written into `into`, or undefined when there is no `into` or it is too small. */
export function runEncode(
  engines: EngineCache,
  level: number,
  raw: Uint8Array,
  into: Uint8Array | undefined,
): Uint8Array | undefined {
  if (!into || into.byteLength < MIN_ENGINE_BYTES) return undefined
  const engine = engines.compressor(level)
  if (!engine) return undefined
  try {
    return into.subarray(0, engine.run(raw, into).written)
  } catch (error) {
    if (error instanceof OutputFull) return undefined
    throw error
  }
}

/**
 * `stored` decoded into `into` (exactly `rawSize` bytes or an error), or undefined when there is no `into`.
 * Bytes after the end of the frame are an error: a chunk is exactly one frame.
 */
export function runDecode(
  engines: EngineCache,
  stored: Uint8Array,
  rawSize: number,
  into: Uint8Array | undefined,
): Uint8Array | undefined {
  if (!into || into.byteLength < rawSize || rawSize < MIN_ENGINE_BYTES) return undefined
  const engine = engines.decompressor()
  if (!engine) return undefined
  const { written, leftover } = engine.run(stored, into.subarray(0, rawSize))
  if (leftover > 0) throw new Error(`${leftover} bytes after the end of the frame`)
  return into.subarray(0, written)
}
