import { createRegistry } from './lazy.js'

export { resolveLevel } from './lazy.js'

/** Codecs are loaded on first use, so a reader that never meets lz4 never loads its native addon. */
export const { codecNames, isCodecName, loadCodec } = createRegistry({
  none: async () => (await import('./none.js')).none,
  zstd: async () => (await import('./zstd.js')).zstd,
  lz4: async () => (await import('./lz4/lz4.js')).lz4,
  gzip: async () => (await import('./gzip.js')).gzip,
})
