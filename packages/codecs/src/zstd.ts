import zlib from 'node:zlib'
import { decodeChecked, outputChunk, outputLimit, plain } from './checked.js'
import type { Codec } from './codec.js'
import { engineCache, type Restart, runDecode, runEncode } from './zlib-engines.js'

const { ZSTD_c_compressionLevel, ZSTD_c_checksumFlag } = zlib.constants

const options = (level: number) => ({
  params: { [ZSTD_c_compressionLevel]: level, [ZSTD_c_checksumFlag]: 0 },
})

/**
 * node:zlib's reset() gives a zstd compressor a new context with zstd's default parameters, so every frame
 * after an engine's first was written at level 3 whatever the level asked. Its init(params,
 * pledgedSrcSize, writeResult, writeCallback) makes the new context with the same `options` the engine was
 * created with (unset keys are 2^32 - 1).
 */
function restartAt(level: number): Restart {
  const entries = Object.entries(options(level).params).map(([key, value]) => [Number(key), value] as const)
  const params = new Uint32Array(Math.max(...entries.map(([key]) => key)) + 1).fill(0xffffffff)
  for (const [key, value] of entries) params[key] = value
  return (handle, writeState) => handle.init(params, undefined, writeState, () => {})
}

const engines = engineCache(
  (level) => zlib.createZstdCompress(options(level)),
  () => zlib.createZstdDecompress(),
  restartAt,
)

/** node:zlib's built-in zstd (Node >= 22.15): as fast as native bindings here, and no dependency. */
export const zstd: Codec = {
  name: 'zstd',
  levels: { min: 1, max: 22, default: 3 },
  encode: (raw, level = 3, into) =>
    runEncode(engines, level, raw, into) ??
    plain(zlib.zstdCompressSync(raw, { ...options(level), chunkSize: outputChunk(raw.byteLength) })),
  decode: (stored, rawSize, into) =>
    decodeChecked(
      'zstd',
      rawSize,
      () =>
        runDecode(engines, stored, rawSize, into) ??
        plain(
          zlib.zstdDecompressSync(stored, {
            maxOutputLength: outputLimit(rawSize),
            chunkSize: outputChunk(rawSize),
          }),
        ),
    ),
}
