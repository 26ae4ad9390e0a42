// Read speed of the FITS reader: node bench/read-fits.mjs [file.fits] (run `pnpm build` first).
// Times scanFits plus decoding every column of every table, best of 5 runs, in three ways:
// all rows at once from memory (readTableColumns), Arrow batches from memory, Arrow batches from the file.
import { readFileSync } from 'node:fs'
import { bytesSource, fitsTableToArrow, openFileSource, readTableColumns, scanFits } from '../dist/index.js'

const path = process.argv[2] ?? '/work/corpus/fits_table/tycho2-07-stars.fits'
const bytes = readFileSync(path)
const memory = bytesSource(bytes)

const isTable = (hdu) => hdu.type === 'BINTABLE' || hdu.type === 'TABLE'

async function decodeAll(source) {
  let values = 0
  for (const hdu of (await scanFits(source)).hdus.filter(isTable)) {
    for (const column of await readTableColumns(source, hdu, { scale: true })) values += column.values.length
  }
  return values
}

async function toArrow(source) {
  let rows = 0
  for (const hdu of (await scanFits(source)).hdus.filter(isTable)) {
    for await (const batch of fitsTableToArrow(source, hdu)) rows += batch.numRows
  }
  return rows
}

async function best(name, run) {
  let fastest = Number.POSITIVE_INFINITY
  let count = 0
  for (let i = 0; i < 5; i++) {
    const start = performance.now()
    count = await run()
    fastest = Math.min(fastest, performance.now() - start)
  }
  const mbps = bytes.length / 1e6 / (fastest / 1000)
  console.log(
    `${name}: ${count} values/rows of ${(bytes.length / 1e6).toFixed(1)} MB in ${fastest.toFixed(1)} ms = ${mbps.toFixed(0)} MB/s`,
  )
}

await best('decode all columns, memory', () => decodeAll(memory))
await best('Arrow batches, memory', () => toArrow(memory))
const file = await openFileSource(path)
await best('Arrow batches, file', () => toArrow(file))
await file.close()
