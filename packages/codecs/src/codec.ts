export type CodecName = 'none' | 'zstd' | 'lz4' | 'gzip'

/**
 * A byte codec. `encode` returns one standard frame (the one the usual command-line tool decodes);
 * `decode` must yield exactly `rawSize` bytes and refuses to produce more (decompression-bomb guard).
 */
export interface Codec {
  readonly name: CodecName
  readonly levels: { readonly min: number; readonly max: number; readonly default: number }
  encode(raw: Uint8Array, level?: number): Uint8Array
  decode(stored: Uint8Array, rawSize: number): Uint8Array
}
