import { createRegistry } from './lazy.js'

export { resolveLevel } from './lazy.js'

/** The browser's codecs: wasm zstd, fflate gzip, TypeScript lz4. Loaded on first use, as in Node. */
export const { codecNames, isCodecName, loadCodec } = createRegistry({
  none: async () => (await import('./none.js')).none,
  zstd: async () => (await import('./zstd.browser.js')).loadZstd(),
  lz4: async () => (await import('./lz4/lz4.browser.js')).lz4,
  gzip: async () => (await import('./gzip.browser.js')).gzip,
})
