import { readFileSync } from 'node:fs'
import { applyTransforms, loadCodec } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { FLOAT64_CHAINS as FLOAT64 } from '../src/workers/choose.js'
import { encodePart } from '../src/workers/chunk-ops.js'

function doubles(values: number[]): Uint8Array {
  return new Uint8Array(new Float64Array(values).buffer)
}

describe("a column's codec level", () => {
  // Right ascensions as catalogs converted from h:m:s at 0.01 s and printed to 10 decimals (Hipparcos in
  // the public corpus), against full-precision ones (the Tycho-2 sample's).
  const sexagesimal = doubles(
    Array.from({ length: 60_000 }, (_, i) => Number((((i * 7919) % 8_640_000) / 24_000).toFixed(10))),
  )
  const csv = readFileSync(
    new URL('../../../fixtures/sample/tables/jpl-sbdb-asteroids.csv', import.meta.url),
    'latin1',
  )
  const fullPrecision = doubles(
    csv
      .trimEnd()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split(',').slice(10, 18).map(Number)),
  )

  it('rises where a higher level pays on a sample (sexagesimal decimals), falls where it costs under 1%', async () => {
    const zstd = await loadCodec('zstd')
    const boosted = encodePart(zstd, 3, sexagesimal, FLOAT64)
    expect(boosted.level).toBe(6)
    expect(boosted.stored.byteLength).toBeLessThan(
      encodePart(zstd, 3, sexagesimal, [boosted.steps], undefined).stored.byteLength,
    )
    // Full-precision doubles in planes: level 1, twice as fast, within 1% of level 3.
    const lowered = encodePart(zstd, 3, fullPrecision, FLOAT64)
    expect(lowered.level).toBe(1)
    const atThree = zstd.encode(applyTransforms(lowered.steps, fullPrecision), 3).byteLength
    expect(lowered.stored.byteLength).toBeLessThan(atThree * 1.01)
    // Text, whose repeats level 3's lazy matching finds, stays at 3.
    expect(encodePart(zstd, 3, new TextEncoder().encode(csv), [[]]).level).toBe(3)
    // Only from the default level, never past a level asked for, and never for other codecs.
    expect(encodePart(zstd, 1, sexagesimal, FLOAT64).level).toBe(1)
    expect(encodePart(await loadCodec('gzip'), 6, sexagesimal, FLOAT64).level).toBe(6)
  })
})

describe('a chain picked on a sample', () => {
  it('falls back to the plain bytes when it cannot keep a value of the chunk', async () => {
    const zstd = await loadCodec('zstd')
    // Decimals with 2 places, but for one value past the sample's reach that the decimal step cannot keep
    // (a subnormal: neither a decimal nor bits it can tell from one).
    const values = Array.from({ length: 200_000 }, (_, i) => Math.round(Math.sin(i) * 1e4) / 100)
    values[150_001] = 5e-324
    const raw = new Uint8Array(new Float64Array(values).buffer)
    const decimal = [{ op: 'decimal-le', width: 8, scale: 2 } as const, { op: 'shuffle', width: 8 } as const]
    const part = encodePart(zstd, 3, raw, [decimal])
    expect(part.steps).toEqual([])
    expect(part.codec).toBe('zstd')
    expect(part.stored.byteLength).toBeLessThan(raw.byteLength)
    // A sample that misses the odd value picks a decimal chain; the chunk still comes out compressed.
    const sampled = encodePart(zstd, 3, raw, FLOAT64)
    expect(sampled.codec).toBe('zstd')
    expect(sampled.stored.byteLength).toBeLessThan(raw.byteLength * 0.5)
  })
})
