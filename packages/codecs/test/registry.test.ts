import { describe, expect, it, vi } from 'vitest'
import { type Codec, isAstropackError } from '../src/index.js'
import { createRegistry, type Loaders } from '../src/lazy.js'
import { ENTRIES } from './entries.js'
import { expectCode } from './helpers.js'

for (const { label, api } of ENTRIES) {
  describe(`${label} registry`, () => {
    it('knows none, zstd, lz4 and gzip', () => {
      expect(api.codecNames).toEqual(['none', 'zstd', 'lz4', 'gzip'])
      for (const name of api.codecNames) expect(api.isCodecName(name)).toBe(true)
      for (const name of ['brotli', 'ZSTD', '', '__proto__', 'toString', 'constructor']) {
        expect(api.isCodecName(name)).toBe(false)
      }
    })

    it('rejects unknown codec names with UNKNOWN_CODEC', async () => {
      for (const name of ['brotli', 'ZSTD', '', '__proto__', 'toString', 'hasOwnProperty']) {
        const error = await api.loadCodec(name).catch((e: unknown) => e)
        expect(isAstropackError(error, 'UNKNOWN_CODEC'), `loadCodec(${JSON.stringify(name)})`).toBe(true)
        expect((error as Error).message).toContain('known: none, zstd, lz4, gzip')
      }
    })

    it('loads each codec once and hands back the same one', async () => {
      for (const name of api.codecNames) {
        const [a, b] = await Promise.all([api.loadCodec(name), api.loadCodec(name)])
        expect(a).toBe(b)
        expect(await api.loadCodec(name)).toBe(a)
        expect(a.name).toBe(name)
      }
    })

    it('resolveLevel fills in the default and accepts the whole range', async () => {
      for (const name of api.codecNames) {
        const codec = await api.loadCodec(name)
        expect(api.resolveLevel(codec)).toBe(codec.levels.default)
        for (let level = codec.levels.min; level <= codec.levels.max; level++) {
          expect(api.resolveLevel(codec, level)).toBe(level)
        }
      }
    })

    it('resolveLevel rejects out-of-range and non-integer levels with BAD_LEVEL', async () => {
      for (const name of api.codecNames) {
        const codec = await api.loadCodec(name)
        const { min, max } = codec.levels
        for (const level of [min - 1, max + 1, min + 0.5, -Infinity, Infinity, Number.NaN]) {
          const error = expectCode('BAD_LEVEL', () => api.resolveLevel(codec, level))
          expect(error.message).toContain(`${min} to ${max}`)
        }
      }
    })
  })
}

describe('a failed load is not cached', () => {
  const codec = { name: 'none' } as Codec
  const loaders = (load: () => Promise<Codec>): Loaders => ({ none: load, zstd: load, lz4: load, gzip: load })

  it('retries after a rejected load, then caches the success', async () => {
    let calls = 0
    const registry = createRegistry(
      loaders(async () => {
        calls++
        if (calls === 1) throw new Error('wasm fetch failed')
        return codec
      }),
    )
    const first = registry.loadCodec('zstd')
    const concurrent = registry.loadCodec('zstd')
    await expect(first).rejects.toThrow('wasm fetch failed')
    await expect(concurrent).rejects.toThrow('wasm fetch failed')
    expect(await registry.loadCodec('zstd')).toBe(codec)
    expect(await registry.loadCodec('zstd')).toBe(codec)
    expect(calls).toBe(2)
  })

  it('a native addon that fails to load can be loaded on retry', async () => {
    vi.resetModules()
    vi.doMock('lz4-napi', () => {
      throw new Error('addon missing')
    })
    const { loadCodec } = await import('../src/registry.js')
    await expect(loadCodec('lz4')).rejects.toThrow()
    vi.doUnmock('lz4-napi')
    vi.resetModules()
    // The registry module itself survives: only the codec modules were reset.
    const lz4 = await loadCodec('lz4')
    expect(lz4.decode(lz4.encode(Uint8Array.of(1, 2, 3)), 3)).toEqual(Uint8Array.of(1, 2, 3))
  })
})
