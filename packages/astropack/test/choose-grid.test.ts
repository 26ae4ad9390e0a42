import { GRID_DIVISORS, type TransformStep } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { numberChains } from '../src/layouts/segments.js'
import { withParams } from '../src/workers/choose.js'

/** Doubles in either byte order, as FITS (big-endian) and most HDF5 files (little-endian) hold them. */
function doubles(values: number[], bigEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(values.length * 8)
  const view = new DataView(bytes.buffer)
  for (const [i, v] of values.entries()) view.setFloat64(i * 8, v, !bigEndian)
  return bytes
}

const grids = (chains: TransformStep[][]) => chains.filter((chain) => chain[0]?.op.startsWith('grid'))

describe('choosing a grid for a float64 column', () => {
  // Declinations from d:m:s at 0.1 arcsec, computed as a catalog script does.
  const declinations = Array.from({ length: 3000 }, (_, i) => {
    const tenths = (i * 7919) % 3_240_000
    return -(Math.floor(tenths / 36000) + (Math.floor(tenths / 600) % 60) / 60 + (tenths % 600) / 10 / 3600)
  })

  for (const bigEndian of [true, false])
    it(`finds the coarsest grid its values sit on, in ${bigEndian ? 'big' : 'little'}-endian order`, () => {
      const chains = withParams(numberChains('float', 8, bigEndian), doubles(declinations, bigEndian))
      expect(grids(chains)).toHaveLength(2) // with byte planes and with bit planes
      for (const chain of grids(chains)) expect(chain[0]!.grid).toBe(GRID_DIVISORS.indexOf(36000))
    })

  it('offers no grid for full-precision doubles', () => {
    const random = Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 90)
    for (const bigEndian of [true, false])
      expect(grids(withParams(numberChains('float', 8, bigEndian), doubles(random, bigEndian)))).toEqual([])
  })
})
