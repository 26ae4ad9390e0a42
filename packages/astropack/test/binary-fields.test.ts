import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCodec } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { roundTrip, scratchFolder } from './round-trip.js'

const STARS = 'astrometry-stars-24000.fits' // see fixtures/fits/README.md
const FIXTURE = fileURLToPath(new URL(`./fixtures/fits/${STARS}`, import.meta.url))
const DATA_START = 2880 * 4 // the index's primary header (2 blocks), then the table's (2 blocks)
const ROWS = 24000
const WIDTH = 12 // 12A: x, y, z of a star as little-endian uint32

const work = scratchFolder('astropack-binary-fields-')

describe('binary data in a FITS character column', () => {
  it("stores astrometry.net's star positions as differences with the same word of the row before", async () => {
    const dir = join(work, 'stars')
    mkdirSync(dir)
    copyFileSync(FIXTURE, join(dir, STARS))
    const { reader } = await roundTrip(work, dir, 'stars') // unpacks and checks the SHA-256 too
    const segment = reader.segmentsOf(reader.entry(STARS))!.find((s) => s.layout === 'rows')!
    expect([segment.rowWidth, segment.rowCount]).toEqual([WIDTH, ROWS])
    const chunk = reader.chunks[segment.firstChunk]!
    expect(reader.transformsOf(chunk)).toEqual([
      { op: 'delta-zigzag-le', width: 4, lag: 3 },
      { op: 'bitshuffle', width: 4 },
    ])
    // zstd of the field's bytes as they are (what the probe's chains kept before: 21.4 MB of 22.4 for the
    // whole index) against the stored chunk.
    const field = readFileSync(FIXTURE).subarray(DATA_START, DATA_START + ROWS * WIDTH)
    const plain = (await loadCodec('zstd')).encode(field).byteLength
    expect(chunk.storedSize).toBeLessThan(plain * 0.85)
  })
})
