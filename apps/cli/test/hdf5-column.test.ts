import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { astropack, SAMPLE } from './run-cli.js'

const TYCHO = 'tycho2-07-first20000.h5' // /catalog: dec, phot_vt_mag, ra (<f8, <f4, <f8) and sweep (|u1)
const work = mkdtempSync(join(tmpdir(), 'astropack-hdf5-column-'))
const pkgPath = join(work, 'tycho.astropack')
const file = readFileSync(join(SAMPLE, 'tables', TYCHO))
interface Column {
  name: string
  type: string
  dataOffset: number
  metrics?: { count: number; min: number; max: number; outOfRange?: number }
}
let columns: Column[]

beforeAll(() => {
  const input = join(work, 'in')
  mkdirSync(input)
  copyFileSync(join(SAMPLE, 'tables', TYCHO), join(input, TYCHO))
  expect(astropack('pack', input, '-o', pkgPath).status).toBe(0)
  const tables = JSON.parse(astropack('tables', pkgPath, '--json').stdout)
  expect(tables).toHaveLength(1)
  expect(tables[0]).toMatchObject({ entry: TYCHO, name: '/catalog', source: 'hdf5', rows: 20000 })
  columns = tables[0].columns
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Values straight from the original file: `count` little-endian doubles of the column from row `start`. */
const doubles = (column: string, start: number, count: number) => {
  const at = columns.find((c) => c.name === column)!.dataOffset + start * 8
  return Array.from({ length: count }, (_, i) => file.readDoubleLE(at + i * 8))
}

describe('astropack column and tables on an HDF5 group table', () => {
  it('prints a column of 1-D datasets, as the file holds it', () => {
    const run = astropack('column', pkgPath, TYCHO, 'ra', '--rows', '19990:')
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toBe(`${doubles('ra', 19990, 10).join('\n')}\n`)
    const json = astropack('column', pkgPath, TYCHO, 'dec', '--table', '/catalog', '--rows', ':5', '--json')
    expect(JSON.parse(json.stdout)).toEqual(doubles('dec', 0, 5))
  })

  it('writes the raw bytes of a column: the dataset bytes of the file', () => {
    const sweep = columns.find((c) => c.name === 'sweep')!
    const run = astropack('column', pkgPath, TYCHO, 'sweep', '--raw')
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdoutBytes.equals(file.subarray(sweep.dataOffset, sweep.dataOffset + 20000))).toBe(true)
  })

  it('lists the metrics measured while packing', () => {
    const ra = columns.find((c) => c.name === 'ra')!
    const values = doubles('ra', 0, 20000)
    expect(ra.metrics).toMatchObject({
      count: 20000,
      min: Math.min(...values),
      max: Math.max(...values),
      outOfRange: 0,
    })
    const text = astropack('tables', pkgPath).stdout
    expect(text).toMatch(/^tycho2-07-first20000\.h5: \/catalog \(hdf5, 20000 rows\)$/m)
    expect(text).toMatch(/^ {2}ra <f8 {2}n=20000 207\.17\.\.246\.847 mean=225\.065 std=9\.471$/m)
  })
})
