import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format, validatePackage } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { roundTrip, scratchFolder } from './round-trip.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READER_FIXTURES = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const work = scratchFolder('astropack-same-files-')

describe('a file identical to an earlier one', () => {
  const csv = readFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'))
  const fits = readFileSync(join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit'))
  // The same size and the same first and last 64 KiB, one byte apart in the middle: only the hash tells.
  const edited = Buffer.from(csv)
  edited[csv.byteLength >> 1]! ^= 1
  const folders = { alone: join(work, 'alone'), twice: join(work, 'twice') }
  for (const dir of Object.values(folders)) {
    mkdirSync(dir)
    writeFileSync(join(dir, 'a.csv'), csv)
    writeFileSync(join(dir, 'edited.csv'), edited)
    writeFileSync(join(dir, 'p.fit'), fits)
  }
  writeFileSync(join(folders.twice, 'copy-of-a.csv'), csv)
  writeFileSync(join(folders.twice, 'copy-of-p.fit'), fits)
  // Each unpacked and checked file by file against the originals' SHA-256.
  const alone = roundTrip(work, folders.alone, 'alone')
  const twice = roundTrip(work, folders.twice, 'twice')

  it("is stored as records of the earlier file's chunks: the package grows by index records only", async () => {
    const [a, b] = await Promise.all([alone, twice])
    const growth = readFileSync(b.pkg).byteLength - readFileSync(a.pkg).byteLength
    expect(growth).toBeGreaterThan(0)
    expect(growth).toBeLessThan(4096) // the copies are 1.8 MB
    const chunksOf = (path: string) => {
      const entry = b.reader.entry(path)
      return Array.from({ length: entry.chunkCount }, (_, i) => b.reader.chunks[entry.firstChunk + i])
    }
    expect(chunksOf('copy-of-a.csv')).toEqual(chunksOf('a.csv'))
    expect(chunksOf('copy-of-p.fit')).toEqual(chunksOf('p.fit'))
    expect(chunksOf('edited.csv')).not.toEqual(chunksOf('a.csv'))
    expect(await validatePackage({ packPath: b.pkg, checksumVerification: 'full' })).toMatchObject({
      isValid: true,
    })
  })

  it('keeps its own entry, tables and columns', async () => {
    const { reader } = await twice
    expect(reader.entry('copy-of-a.csv').sha256).toBe(reader.entry('a.csv').sha256)
    const tables = reader.manifest.tables ?? []
    const of = (entry: string) => tables.filter((table) => table.entry === entry)
    expect(of('copy-of-a.csv')).toEqual([
      { ...of('a.csv')[0], entry: 'copy-of-a.csv', name: 'copy-of-a.csv' },
    ])
    expect(of('copy-of-p.fit')).toEqual(of('p.fit').map((table) => ({ ...table, entry: 'copy-of-p.fit' })))
    expect(of('copy-of-p.fit').length).toBeGreaterThan(0)
    const column = (entry: string) => format.columnValues(reader, { entry, column: 'H' })
    expect(await column('copy-of-a.csv')).toEqual(await column('a.csv'))
    expect((await column('a.csv')).length).toBe(7099)
  })
})

describe('chunks encoded the same in different files', () => {
  const csv = readFileSync(join(SAMPLE, 'tables/hipparcos-kstars-first4000.csv'), 'latin1')
  const fits = readFileSync(join(READER_FIXTURES, 'hst-cos-g130m-spectrum.fits'))
  // The same spectrum under another file name in its primary header: its table is the same.
  const retitled = Buffer.from(fits)
  const card = retitled.indexOf("FILENAME= 'cos_fuv_g130m_c1309_psa.fits'")
  retitled.write("'cos_fuv_g130m_copy_psa.fits'", card + 10, 'latin1')
  const folders = { one: join(work, 'one'), both: join(work, 'both') }
  for (const dir of Object.values(folders)) {
    mkdirSync(dir)
    writeFileSync(join(dir, 'stars.csv'), csv, 'latin1')
    writeFileSync(join(dir, 'spectrum.fits'), fits)
  }
  // The same catalog as TSV: the same lines, so the same column chunks, but for the delimiter.
  writeFileSync(join(folders.both, 'stars.tsv'), csv.replaceAll(',', '\t'), 'latin1')
  writeFileSync(join(folders.both, 'spectrum-renamed.fits'), retitled)
  const one = roundTrip(work, folders.one, 'one')
  const both = roundTrip(work, folders.both, 'both') // unpacked and checked file by file

  it('are stored once: a TSV beside its CSV, and a FITS file whose header alone differs, cost their index records', async () => {
    const [a, b] = await Promise.all([one, both])
    const growth = readFileSync(b.pkg).byteLength - readFileSync(a.pkg).byteLength
    const typedChunks = (path: string) =>
      b.reader
        .segmentsOf(b.reader.entry(path))!
        .filter((s) => s.layout !== 'bytes')
        .flatMap((s) => Array.from({ length: s.chunkCount }, (_, i) => b.reader.chunks[s.firstChunk + i]))
    // Chunks that store under 1 KiB are not looked up (MIN_SHARED_BYTES): stored again, at their size.
    const big = (path: string) =>
      typedChunks(path).map((chunk) => (chunk!.storedSize >= 1024 ? chunk : undefined))
    expect(big('stars.tsv')).toEqual(big('stars.csv'))
    expect(big('spectrum-renamed.fits')).toEqual(big('spectrum.fits'))
    expect(big('stars.csv').filter(Boolean).length).toBeGreaterThan(5)
    expect(card).toBeGreaterThan(0)
    expect(typedChunks('spectrum.fits').length).toBeGreaterThan(1)
    // Without sharing the two would add ~120 KB: the CSV's and the spectrum's stored bytes.
    const stored = (path: string) => b.reader.storedBytes(b.reader.chunkIndexes(b.reader.entry(path)))
    expect(stored('stars.csv') + stored('spectrum.fits')).toBeGreaterThan(100_000)
    expect(growth).toBeLessThan(4096) // the spectrum's header chunk, small chunks and index records
    expect(await validatePackage({ packPath: b.pkg, checksumVerification: 'full' })).toMatchObject({
      isValid: true,
    })
  })

  it('are checked once by quick validation, and their damage is a problem of every file using them', async () => {
    const { reader, pkg } = await both
    const shared =
      reader.chunks[
        reader.segmentsOf(reader.entry('stars.csv'))!.find((s) => s.layout === 'text')!.firstChunk
      ]!
    const damaged = readFileSync(pkg)
    damaged[shared.offset + (shared.storedSize >> 1)]! ^= 0x40
    const path = join(work, 'damaged.astropack')
    writeFileSync(path, damaged)
    const result = await validatePackage({ packPath: path, checksumVerification: 'quick' })
    expect(result.isValid).toBe(false)
    expect(result.errors.map((e) => [e.entry, e.code])).toEqual([
      ['stars.csv', 'CHECKSUM_MISMATCH'],
      ['stars.tsv', 'CHECKSUM_MISMATCH'],
    ])
  })
})
