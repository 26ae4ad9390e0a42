import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBytes, openPackage, READ_AHEAD_BYTES, withReadAhead, withReadStats } from '../src/index.js'
import { sameBytes, sampleFiles, writePackage } from './helpers.js'

describe('withReadAhead', () => {
  it('gives every slice the bytes of the source, into the caller memory or not', async () => {
    const [fits] = await sampleFiles(['fits/saao-1m-a8280271.fits'])
    const bytes = fits!.bytes
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(bytes.byteLength), fc.nat(3 * READ_AHEAD_BYTES), fc.boolean()), {
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 256 * 1024 }),
        async (slices, window) => {
          const source = withReadAhead(fromBytes(bytes), window)
          for (const [start, length, withInto] of slices) {
            const end = Math.min(bytes.byteLength, start + length)
            const into = withInto ? new Uint8Array(end - start + 3) : undefined
            const got = await source.slice(start, end, into)
            expect(sameBytes(got, bytes.subarray(start, end))).toBe(true)
            // Served from what was read ahead: copied into the caller's memory (longer slices pass through).
            if (into && end - start < window) expect(got.buffer).toBe(into.buffer)
          }
        },
      ),
      { numRuns: 200 },
    )
    await expect(withReadAhead(fromBytes(bytes)).slice(0, bytes.byteLength + 1)).rejects.toMatchObject({
      code: 'TRUNCATED',
    })
  })

  it('reads a package of many small files front to back in a few reads', async () => {
    const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
    const files = Array.from({ length: 300 }, (_, i) => ({
      path: `f/${i}.csv`,
      bytes: csv!.bytes.subarray(i * 101, i * 101 + 400 + (i % 5) * 90),
    }))
    const pkg = await writePackage(files, { chunkSize: 4096 })
    const counted = withReadStats(fromBytes(pkg))
    const reader = await openPackage(withReadAhead(counted))
    for (const file of files) expect(sameBytes(await reader.readEntry(file.path), file.bytes)).toBe(true)
    expect(counted.stats.requests).toBeLessThan(5) // one read per file without it: 300 and the index
  })
})
