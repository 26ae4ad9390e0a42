import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { applyTransforms, loadCodec } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { numberChains } from '../src/layouts/segments.js'
import { PROBE_BYTES, pickBySample } from '../src/workers/choose.js'

const WMAP = fileURLToPath(new URL('../../../fixtures/sample/fits/wmap7-W-iqu-nside32.fits', import.meta.url))

describe('picking a chain on a sample', () => {
  it('gives a chunk no larger than a sample its smallest chain, however close the next best', async () => {
    // WMAP's polarisation Q (float32, big-endian): 12 rows of 1024 values after I's, from 2880 * 2 on.
    const file = readFileSync(WMAP)
    const zstd = await loadCodec('zstd')
    const chains = numberChains('float', 4, true)
    for (const column of [0, 1, 2]) {
      const raw = new Uint8Array(12 * 1024 * 4)
      for (let row = 0; row < 12; row++) {
        const at = 2880 * 2 + row * 12288 + column * 4096
        raw.set(file.subarray(at, at + 4096), row * 4096)
      }
      expect(raw.byteLength).toBeLessThanOrEqual(PROBE_BYTES)
      const sizes = chains.map((chain) => {
        try {
          return zstd.encode(applyTransforms(chain, raw), 3).byteLength
        } catch {
          return Number.POSITIVE_INFINITY // a decimal step that cannot keep these values
        }
      })
      const smallest = chains[sizes.indexOf(Math.min(...sizes))]!
      expect(pickBySample(zstd, 3, raw, chains), `column ${column}`).toEqual(smallest)
    }
  })
})
