import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GRID_DIVISORS } from '@astropack/codecs'
import { format } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { binTableFile } from '../../readers/test/helpers/build-fits.js'
import { roundTrip as packedRoundTrip, scratchFolder } from './round-trip.js'

const work = scratchFolder('astropack-grid-')
const roundTrip = async (dir: string, name: string) => (await packedRoundTrip(work, dir, name)).reader
const HIPPARCOS_CSV = 'hipparcos-kstars-first4000.csv'
const hipparcosCsv = fileURLToPath(
  new URL(`../../../fixtures/sample/tables/${HIPPARCOS_CSV}`, import.meta.url),
)

/**
 * Degrees from a count of sexagesimal units, as a catalog script computes them in doubles (the corpus's
 * Hipparcos FITS: sign × (d + m / 60 + s / 3600), times 15 for hours), with `perSecond` units a second.
 */
function sexagesimal(count: number, perSecond: number, hours: boolean): number {
  const u = Math.abs(count)
  const seconds = Number(((u % (60 * perSecond)) / perSecond).toFixed(Math.log10(perSecond)))
  const minutes = Math.floor(u / (60 * perSecond)) % 60
  const whole = Math.floor(u / (3600 * perSecond))
  const value = Math.sign(count) * (whole + minutes / 60 + seconds / 3600)
  return hours ? value * 15 : value
}

describe('values on a sexagesimal grid', () => {
  it('stores a FITS table of positions from h:m:s and d:m:s as grid counts, byte for byte', async () => {
    const dir = join(work, 'fits')
    mkdirSync(dir)
    // Hipparcos positions (the fixture's ra and dec, to 0.01 s of time and 0.1 arcsec) as doubles, twice:
    // 128 KB, enough to be stored by column.
    const fixture = readFileSync(hipparcosCsv, 'latin1').trimEnd().split('\n').slice(1)
    const lines = [...fixture, ...fixture]
    const rows = new Uint8Array(lines.length * 16)
    const view = new DataView(rows.buffer)
    const values: number[][] = [[], []]
    for (const [i, line] of lines.entries()) {
      const [ra, dec] = line.split(',').map(Number) as [number, number]
      values[0]!.push(sexagesimal(Math.round(ra * 24000), 100, true))
      values[1]!.push(sexagesimal(Math.round(dec * 36000), 10, false))
      view.setFloat64(i * 16, values[0]!.at(-1)!)
      view.setFloat64(i * 16 + 8, values[1]!.at(-1)!)
    }
    const fits = binTableFile(
      [
        { form: 'D', name: 'ra' },
        { form: 'D', name: 'dec' },
      ],
      rows,
      {
        rowBytes: 16,
        rowCount: lines.length,
      },
    )
    writeFileSync(join(dir, 'positions.fits'), fits)
    const reader = await roundTrip(dir, 'fits')
    const entry = reader.entry('positions.fits')
    const segment = reader.segmentsOf(entry)!.find((s) => s.layout === 'rows')!
    for (let c = 0; c < 2; c++) {
      const chain = reader.transformsOf(reader.chunks[segment.firstChunk + c]!)
      expect(chain[0]).toMatchObject({
        op: 'grid-be',
        width: 8,
        grid: GRID_DIVISORS.indexOf(c ? 36000 : 24000),
      })
      expect(
        await format.columnValues(reader, { entry: 'positions.fits', column: c ? 'dec' : 'ra' }),
      ).toEqual(values[c])
    }
    expect(reader.trailer.requiredFeatures & format.FEATURE_GRID).toBe(format.FEATURE_GRID)
  })

  it('stores degrees converted from sexagesimal on their grid, and reads and measures them as numbers', async () => {
    const dir = join(work, 'grid')
    mkdirSync(dir)
    const name = HIPPARCOS_CSV
    copyFileSync(hipparcosCsv, join(dir, name))
    const reader = await roundTrip(dir, 'grid')
    // Grid columns need readers that know them (feature bit 4); no transform here needs bit 5.
    expect(reader.trailer.requiredFeatures & format.FEATURE_TEXT_KINDS).toBe(format.FEATURE_TEXT_KINDS)
    const lines = readFileSync(join(dir, name), 'latin1').trimEnd().split('\n').slice(1)
    for (const [c, column] of ['ra', 'dec'].entries()) {
      const fields = lines.map((line) => line.split(',')[c]!)
      expect(await format.columnValues(reader, { entry: name, column })).toEqual(fields.map(Number))
      const metrics = reader.manifest.tables![0]!.columns[c]!.metrics!
      const values = fields.map(Number)
      expect(metrics).toMatchObject({
        count: 4000,
        nulls: 0,
        min: Math.min(...values),
        max: Math.max(...values),
      })
      expect(metrics.mean).toBeCloseTo(values.reduce((sum, v) => sum + v, 0) / values.length, 9)
    }
  })
})
