import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type ByteSource,
  fromBytes,
  openPackage,
  READ_AHEAD_BYTES,
  withReadAhead,
  withReadStats,
} from '../src/index.js'
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

  it('keeps what it gave: later reads of its window, some at the same time, change no earlier slice', async () => {
    const [fits] = await sampleFiles(['fits/saao-1m-a8280271.fits'])
    const bytes = fits!.bytes
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.nat(bytes.byteLength), fc.nat(4096)), { minLength: 1, maxLength: 3 }), {
          maxLength: 20,
        }),
        async (batches) => {
          // Reads into the memory it is given, as a file does: the window's one buffer is reused.
          const source = withReadAhead(intoSource(bytes), 8192)
          const kept: [Uint8Array, number, number][] = []
          for (const batch of batches) {
            const ranges = batch.map(([start, length]) => [start, Math.min(bytes.byteLength, start + length)])
            const got = await Promise.all(ranges.map(([start, end]) => source.slice(start!, end!)))
            for (const [i, slice] of got.entries()) kept.push([slice, ranges[i]![0]!, ranges[i]![1]!])
          }
          for (const [slice, start, end] of kept)
            expect(sameBytes(slice, bytes.subarray(start, end))).toBe(true)
        },
      ),
      { numRuns: 200 },
    )
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

/**
 * Bytes in memory read the way a file is: into the caller's memory when given, and not all at once (its
 * first half, a turn of the event loop, then the rest), as other reads go on.
 */
function intoSource(bytes: Uint8Array): ByteSource {
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  return {
    byteLength: bytes.byteLength,
    slice: async (start, end, into) => {
      const out =
        into && into.byteLength >= end - start ? into.subarray(0, end - start) : new Uint8Array(end - start)
      const half = (end - start) >> 1
      await turn()
      out.set(bytes.subarray(start, start + half))
      await turn()
      out.set(bytes.subarray(start + half, end), half)
      return out
    },
  }
}
