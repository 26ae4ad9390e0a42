import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { tableFromIPC } from 'apache-arrow'
import { exportTable, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import h5wasm from 'h5wasm/node'
import { describe, expect, it } from 'vitest'
import { scratchFolder } from './round-trip.js'

const TYCHO = fileURLToPath(
  new URL('../../readers/test/fixtures/same-catalog/tycho2-07-first20000.fits', import.meta.url),
)
const work = scratchFolder('astropack-export-names-')

/**
 * The 20,000-row Tycho-2 table with its second TTYPE made the same as its first: FITS allows two columns
 * of one name (the standard only recommends otherwise), HDF5 datasets and Parquet columns do not.
 */
function twoColumnsNamedRa(): Buffer {
  const file = Buffer.from(readFileSync(TYCHO))
  const card = file.indexOf("TTYPE2  = 'dec     '")
  expect(card).toBeGreaterThan(0)
  file.write("TTYPE2  = 'ra      '", card, 'latin1')
  return file
}

describe('exporting a table whose columns share a name', () => {
  const input = join(work, 'in')
  const packPath = join(work, 'same-names.astropack')
  const file = twoColumnsNamedRa()
  const packed = (async () => {
    const { mkdirSync } = await import('node:fs')
    mkdirSync(input)
    writeFileSync(join(input, 'tycho.fits'), file)
    await packFolder({ sourcePath: input, outputPath: packPath })
  })()
  // The second column's values (declination), big-endian doubles at byte 8 of each 21-byte row.
  const dec = Array.from({ length: 20000 }, (_, i) => file.readDoubleBE(5760 + i * 21 + 8))
  const names = ['ra', 'ra_2', 'phot_vt_mag', 'sweep']

  it('names the repeat ra_2 in Arrow, Parquet and HDF5, with its own values', async () => {
    await packed
    const arrow = join(work, 'out.arrow')
    await exportTable({ packPath, outputPath: arrow, to: 'arrow' })
    const table = tableFromIPC(readFileSync(arrow))
    expect(table.schema.fields.map((f) => f.name)).toEqual(names)
    expect([...table.getChild('ra_2')!.toArray()]).toEqual(dec)

    const parquet = join(work, 'out.parquet')
    await exportTable({ packPath, outputPath: parquet, to: 'parquet' })
    const connection = await (await DuckDBInstance.create(':memory:')).connect()
    const read = await connection.runAndReadAll(`SELECT * FROM '${parquet}'`)
    expect(read.columnNames()).toEqual(names)
    expect(read.getColumnsJS()[1]).toEqual(dec)
    connection.closeSync()

    const hdf5 = join(work, 'out.h5')
    await exportTable({ packPath, outputPath: hdf5, to: 'hdf5' })
    await h5wasm.ready
    const h5 = new h5wasm.File(hdf5, 'r')
    try {
      const group = h5.get(h5.keys()[0]!) as InstanceType<typeof h5wasm.Group>
      expect(group.keys().sort()).toEqual([...names].sort())
      expect([...((group.get('ra_2') as InstanceType<typeof h5wasm.Dataset>).value as Float64Array)]).toEqual(
        dec,
      )
    } finally {
      h5.close()
    }
  })
})
