export type CodecName = 'none' | 'zstd' | 'lz4' | 'gzip'

/**
 * A byte codec. `encode` returns one standard frame (the one the usual command-line tool decodes);
 * `decode` must yield exactly `rawSize` bytes and refuses to produce more (decompression-bomb guard).
 */
export interface Codec {
  readonly name: CodecName
  readonly levels: { readonly min: number; readonly max: number; readonly default: number }
  /**
   * `into`, when given, is a scratch buffer the frame may be written to (the result is then a view of it,
   * valid until the buffer is reused); codecs that cannot, or when the frame does not fit, return a new array.
   */
  encode(raw: Uint8Array, level?: number, into?: Uint8Array): Uint8Array
  /**
   * `into`, when given, is a reusable buffer of at least `rawSize` bytes that the result may be written to
   * (the result is then a view of it); codecs that cannot, return a new array.
   */
  decode(stored: Uint8Array, rawSize: number, into?: Uint8Array): Uint8Array
}
