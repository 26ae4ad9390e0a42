import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { roundTrip, scratchFolder } from './round-trip.js'

/** HEALPix ring weights: three float64 columns, the two polarisation ones equal to the temperature one. */
const WEIGHTS = fileURLToPath(new URL('./fixtures/fits/weight_ring_n00512.fits', import.meta.url))
const work = scratchFolder('astropack-repeated-')

describe('a table column equal to another of its group', () => {
  const dir = join(work, 'in')
  mkdirSync(dir)
  copyFileSync(WEIGHTS, join(dir, 'weights.fits'))
  const rounds = roundTrip(work, dir, 'repeated')

  it('is a second record of the other column chunk: its bytes are stored once', async () => {
    const { reader } = await rounds
    const rows = reader.segmentsOf(reader.entry('weights.fits'))!.find((s) => s.layout === 'rows')!
    const chunks = Array.from({ length: rows.chunkCount }, (_, i) => reader.chunks[rows.firstChunk + i]!)
    expect(chunks).toHaveLength(3)
    expect(chunks[1]).toEqual(chunks[0])
    expect(chunks[2]).toEqual(chunks[0])
    // The package holds one column's bytes, not three: about a third of the file.
    expect(readFileSync(join(work, 'repeated.astropack')).byteLength).toBeLessThan(34_560 / 3)
  })

  it('reads back as its own column, equal to the other', async () => {
    const { reader } = await rounds
    const column = async (name: string) => {
      const pieces: Uint8Array[] = []
      for await (const piece of format.readColumn(reader, { entry: 'weights.fits', column: name }))
        pieces.push(piece.bytes)
      return Buffer.concat(pieces)
    }
    const temperature = await column('TEMPERATURE WEIGHTS')
    expect(temperature.byteLength).toBe(1024 * 8) // one row of 1024 doubles
    // Big-endian doubles, as the file has them (astropy reads 0.1728855, -0.08531868, 0.04919727 first).
    expect([0, 8, 16].map((at) => temperature.readDoubleBE(at).toFixed(8))).toEqual([
      '0.17288550',
      '-0.08531868',
      '0.04919727',
    ])
    expect(await column('Q-POLARISATION WEIGHTS')).toEqual(temperature)
    expect(await column('U-POLARISATION WEIGHTS')).toEqual(temperature)
  })
})
