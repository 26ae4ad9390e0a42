import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { asciiTableLayout, bytesSource, scanFits } from '@astropack/readers'
import { format, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { repeatTableRows, TYCHO2_ASCII_FITS } from './fits-fixtures.js'
import { roundTrip as packedRoundTrip, scratchFolder } from './round-trip.js'

const FITS = fileURLToPath(new URL('../../../fixtures/sample/fits', import.meta.url))
const CORPUS = '/work/corpus' // the developers' public corpus (shared/corpus/make-corpus.sh); optional
const work = scratchFolder('astropack-typed-')
const roundTrip = async (dir: string, name: string) => (await packedRoundTrip(work, dir, name)).reader

function typedEntries(reader: format.PackageReader): string[] {
  return reader.entries
    .filter(
      (entry) =>
        reader.segmentsOf(entry) || reader.chunkIndexes(entry).some((i) => reader.chunks[i]!.transformId > 0),
    )
    .map((entry) => entry.path)
}

describe('FITS stored with types, unpacked byte for byte', () => {
  it('stores the sample tables by column and images with transforms', async () => {
    const reader = await roundTrip(FITS, 'sample')
    expect(typedEntries(reader).sort()).toEqual([
      'saao-1m-a8280271.fits',
      'sdo-aia171-level1-128.fits',
      'sdss-psField-003366-3-0110.fit',
      'wmap7-W-iqu-nside32.fits',
    ])
    const wmap = reader.segmentsOf(reader.entry('wmap7-W-iqu-nside32.fits'))!
    expect(wmap.map((s) => s.layout)).toEqual(['bytes', 'rows', 'bytes'])
    expect(reader.trailer.requiredFeatures & 1).toBe(1)
  })

  it('stores an ASCII table by field, each field a column of the rows, and lists no table for it', async () => {
    const dir = join(work, 'ascii')
    mkdirSync(dir)
    // 40 Tycho-2 rows repeated to 4,000: enough rows to be stored by column.
    writeFileSync(join(dir, 'tycho2-ascii.fits'), await repeatTableRows(TYCHO2_ASCII_FITS, 100))
    const reader = await roundTrip(dir, 'ascii')
    const segments = reader.segmentsOf(reader.entry('tycho2-ascii.fits'))!
    const rows = segments.find((s) => s.layout === 'rows')!
    const hdu = (await scanFits(bytesSource(readFileSync(join(dir, 'tycho2-ascii.fits'))))).hdus[1]!
    expect(rows.rawOffset).toBe(hdu.dataStart)
    // Every field (TBCOLn, width of TFORMn) is a column; what lies between them is one too.
    const fields = asciiTableLayout(hdu).columns.map(({ offset, width }) => ({ offset, width }))
    for (const field of fields) expect(rows.columns).toContainEqual(field)
    expect(reader.manifest.tables ?? []).toEqual([])
  })

  it('packs the same files to the same chunks every time, whatever the thread count', async () => {
    // Small chunks: segments of many chunks, whose first picks the chains while the next pick by sample.
    const packs = []
    for (const threads of [2, 2, 1]) {
      const path = join(work, `same-${packs.length}.astropack`)
      await packFolder({ sourcePath: FITS, outputPath: path, threads, chunkSize: 16 * 1024 })
      const reader = await format.openPackage(format.fromBytes(readFileSync(path)))
      packs.push(reader.chunks.map((c) => [c.storedSize, c.crc32, c.transformId]))
    }
    expect(packs[0]!.length).toBeGreaterThan(20)
    expect(packs[1]).toEqual(packs[0])
    expect(packs[2]).toEqual(packs[0])
  })

  it('records quality metrics of each numeric column that match the values the FITS reader reads', async () => {
    const reader = await roundTrip(FITS, 'metrics')
    const table = reader.manifest.tables!.find((t) => t.entry === 'wmap7-W-iqu-nside32.fits')!
    // Provenance: the reader that recognised the table, with the version installed.
    const readersVersion = JSON.parse(
      readFileSync(join(FITS, '../../../packages/readers/package.json'), 'utf8'),
    )
    expect(table.reader).toBe(`@astropack/readers ${readersVersion.version}`)
    const path = join(FITS, 'wmap7-W-iqu-nside32.fits')
    const { openFileSource, scanFits, readTableColumns } = await import('@astropack/readers')
    const source = await openFileSource(path)
    const hdu = (await scanFits(source)).hdus.find((h) => h.index === table.hdu)!
    const columns = await readTableColumns(source, hdu, { scale: true })
    let measured = 0
    for (const column of columns) {
      const metrics = table.columns.find((c) => c.name === column.name)?.metrics
      if (!metrics || !ArrayBuffer.isView(column.values)) continue
      const values = Array.from(column.values as ArrayLike<number>, Number)
      const numbers = values.filter((v) => !Number.isNaN(v))
      const mean = numbers.reduce((sum, v) => sum + v, 0) / numbers.length
      const std = Math.sqrt(numbers.reduce((sum, v) => sum + (v - mean) ** 2, 0) / numbers.length)
      expect(metrics.count, column.name).toBe(values.length)
      expect(metrics.nans, column.name).toBe(values.length - numbers.length)
      expect(metrics.min, column.name).toBe(Math.min(...numbers))
      expect(metrics.max, column.name).toBe(Math.max(...numbers))
      expect(metrics.mean!, column.name).toBeCloseTo(mean, 9)
      expect(metrics.std!, column.name).toBeCloseTo(std, 9)
      measured++
    }
    await source.close?.()
    expect(measured).toBeGreaterThanOrEqual(3)
  })

  it("records quality metrics of a CSV catalog's columns that match a plain parse of the text", async () => {
    const dir = join(work, 'csv-metrics')
    mkdirSync(dir)
    const csvPath = fileURLToPath(
      new URL('../../../fixtures/sample/tables/jpl-sbdb-asteroids.csv', import.meta.url),
    )
    writeFileSync(join(dir, 'jpl.csv'), readFileSync(csvPath))
    const reader = await roundTrip(dir, 'csv-metrics')
    const table = reader.manifest.tables!.find((t) => t.entry === 'jpl.csv')!
    expect(table.reader).toMatch(/^astropack \d+\.\d+\.\d+/)
    const lines = readFileSync(csvPath, 'latin1').trimEnd().split('\n')
    const names = lines[0]!.split(',')
    const rows = lines.slice(1).map((line) => line.split(','))
    expect(table.rows).toBe(rows.length)
    // q and per_y are stored predicted from a and e (kind 8); their metrics come from the values.
    for (const name of ['H', 'diameter', 'albedo', 'e', 'moid', 'q', 'per_y']) {
      const fields = rows.map((row) => row[names.indexOf(name)]!)
      const numbers = fields.filter((f) => f !== '').map(Number)
      const mean = numbers.reduce((sum, v) => sum + v, 0) / numbers.length
      const std = Math.sqrt(numbers.reduce((sum, v) => sum + (v - mean) ** 2, 0) / numbers.length)
      const metrics = table.columns.find((c) => c.name === name)!.metrics!
      expect(metrics, name).toMatchObject({
        count: rows.length,
        nulls: fields.length - numbers.length,
        nans: 0,
      })
      expect(metrics.min, name).toBe(Math.min(...numbers))
      expect(metrics.max, name).toBe(Math.max(...numbers))
      expect(metrics.mean!, name).toBeCloseTo(mean, 9)
      expect(metrics.std!, name).toBeCloseTo(std, 9)
    }
    // A text column has counts, no numeric summary.
    expect(table.columns.find((c) => c.name === 'class')!.metrics).toEqual({
      count: rows.length,
      nulls: 0,
      nans: 0,
    })
  })

  it('leaves out a mean or deviation that overflows a double (sentinels such as DBL_MAX), and still reads', async () => {
    const dir = join(work, 'csv-huge')
    mkdirSync(dir)
    // flux: DBL_MAX as "no data" beside ordinary values (squares overflow); big: 1e200 and -1e200 (so do
    // its squares); small: ordinary values, whose metrics stay whole.
    const lines = ['flux,big,small']
    for (let i = 0; i < 5000; i++)
      lines.push(`${i % 100 === 0 ? 1.7976931348623157e308 : i / 7},${i % 2 ? 1e200 : -1e200},${i % 13}`)
    writeFileSync(join(dir, 'huge.csv'), `${lines.join('\n')}\n`)
    const reader = await roundTrip(dir, 'csv-huge')
    const metrics = Object.fromEntries(
      reader.manifest.tables![0]!.columns.map((column) => [column.name, column.metrics!]),
    )
    expect(metrics.flux).toEqual({ count: 5000, nulls: 0, nans: 0, min: 1 / 7, max: 1.7976931348623157e308 })
    expect(metrics.big).toMatchObject({ min: -1e200, max: 1e200 })
    expect(Math.abs(metrics.big!.mean!)).toBeLessThan(1e200 * 1e-12) // 0, to the precision of the sums
    expect(metrics.big!.std).toBeUndefined()
    expect(Object.keys(metrics.small!)).toEqual(['count', 'nulls', 'nans', 'min', 'max', 'mean', 'std'])
  })

  it('packs a FITS file whose header lies about its size as opaque bytes, still exact', async () => {
    const dir = join(work, 'broken')
    mkdirSync(dir)
    const bytes = new Uint8Array(readFileSync(join(FITS, 'wmap7-W-iqu-nside32.fits')))
    const text = new TextDecoder('latin1').decode(bytes)
    const at = text.indexOf('NAXIS2  =', 2880)
    bytes.set(new TextEncoder().encode('NAXIS2  =             99999999'), at)
    writeFileSync(join(dir, 'broken.fits'), bytes)
    const reader = await roundTrip(dir, 'broken')
    expect(typedEntries(reader)).toEqual([])
  })

  it.skipIf(!existsSync(CORPUS))('round-trips every FITS file of the public corpus', async () => {
    const dir = join(work, 'corpus')
    mkdirSync(dir)
    for (const sub of ['fits_image', 'fits_table', 'edge']) {
      for (const file of readdirSync(join(CORPUS, sub)).filter((f) => /\.fits?$/.test(f))) {
        if (!file.startsWith('tycho2-index')) copyFileSync(join(CORPUS, sub, file), join(dir, file))
      }
    }
    const reader = await roundTrip(dir, 'corpus')
    expect(typedEntries(reader).length).toBeGreaterThan(5)
  })
})

describe('CSV and TSV stored as typed columns, unpacked byte for byte', () => {
  const TABLES = fileURLToPath(new URL('../../../fixtures/sample/tables', import.meta.url))
  /** The real JPL catalog's header line and data lines. */
  const jpl = () => {
    const [header, ...lines] = readFileSync(join(TABLES, 'jpl-sbdb-asteroids.csv'), 'latin1')
      .trimEnd()
      .split('\n')
    return { header: header!, lines }
  }
  /** The readers' same-catalog fixture: 20,000 Tycho-2 rows with a header. */
  const tycho2Csv = () =>
    readFileSync(
      fileURLToPath(
        new URL('../../readers/test/fixtures/same-catalog/tycho2-07-first20000.csv', import.meta.url),
      ),
      'latin1',
    )
  const storedBytes = (reader: format.PackageReader, name: string) =>
    reader.chunkIndexes(reader.entry(name)).reduce((sum, i) => sum + reader.chunks[i]!.storedSize, 0)

  it('stores a real catalog CSV by columns, smaller than plain zstd', async () => {
    const dir = join(work, 'csv')
    mkdirSync(dir)
    copyFileSync(join(TABLES, 'jpl-sbdb-asteroids.csv'), join(dir, 'jpl.csv'))
    const text = readFileSync(join(dir, 'jpl.csv'), 'latin1')
    writeFileSync(join(dir, 'jpl.tsv'), text.replaceAll(',', '\t'), 'latin1')
    writeFileSync(join(dir, 'jpl-crlf.csv'), text.replaceAll('\n', '\r\n'), 'latin1') // as Windows tools write
    // Odd shapes: a file without a final newline, lines with other field counts, quotes, CRLF.
    writeFileSync(join(dir, 'odd.csv'), `a,b\n${'1,2\n'.repeat(20000)}3\n"x,y",4\r\n5,6`)
    const reader = await roundTrip(dir, 'csv')
    for (const name of ['jpl.csv', 'jpl.tsv', 'jpl-crlf.csv', 'odd.csv']) {
      expect(
        reader.segmentsOf(reader.entry(name))?.some((s) => s.layout === 'text'),
        name,
      ).toBe(true)
    }
    const stored = (name: string) => storedBytes(reader, name)
    const { zstdCompressSync } = await import('node:zlib')
    expect(stored('jpl.csv')).toBeLessThan(
      zstdCompressSync(readFileSync(join(dir, 'jpl.csv'))).byteLength * 0.85,
    )
    // CR LF line ends cost next to nothing: the columns are typed all the same.
    expect(stored('jpl-crlf.csv')).toBeLessThan(stored('jpl.csv') * 1.02)
    for (const column of ['epoch_mjd', 'class']) {
      const crlf = await format.columnValues(reader, { entry: 'jpl-crlf.csv', column })
      expect(crlf, column).toEqual(await format.columnValues(reader, { entry: 'jpl.csv', column }))
    }
  })

  it('stores a CSV with quoted fields by columns, and reads them back without their quotes', async () => {
    const dir = join(work, 'quoted')
    mkdirSync(dir)
    // The real catalog as archives quote it: every header name and name field quoted, some names with
    // the delimiter and doubled quotes inside.
    const { header, lines } = jpl()
    const names = lines.map((line, i) => {
      const name = line.slice(0, line.indexOf(','))
      return i % 7 === 0 ? `${name}, "moon" ${i}` : name
    })
    const quote = (field: string) => `"${field.replaceAll('"', '""')}"`
    const quoted = [
      header.split(',').map(quote).join(','),
      ...lines.map((line, i) => `${quote(names[i]!)}${line.slice(line.indexOf(','))}`),
    ]
    writeFileSync(join(dir, 'jpl-quoted.csv'), `${quoted.join('\n')}\n`, 'latin1')
    copyFileSync(join(TABLES, 'jpl-sbdb-asteroids.csv'), join(dir, 'jpl.csv'))
    const reader = await roundTrip(dir, 'quoted')
    const table = reader.manifest.tables!.find((t) => t.entry === 'jpl-quoted.csv')!
    expect(table.columns.map((c) => c.name)).toEqual(header.split(','))
    expect(await format.columnValues(reader, { entry: 'jpl-quoted.csv', column: 'full_name' })).toEqual(names)
    for (const column of ['H', 'e', 'class'])
      expect(await format.columnValues(reader, { entry: 'jpl-quoted.csv', column }), column).toEqual(
        await format.columnValues(reader, { entry: 'jpl.csv', column }),
      )
    const stored = (name: string) => storedBytes(reader, name)
    // Quotes cost little: the table is still typed, not kept whole.
    expect(stored('jpl-quoted.csv')).toBeLessThan(stored('jpl.csv') * 1.1)
  })

  it('stores 64-bit IDs exactly, and reads them back as BigInt', async () => {
    const dir = join(work, 'ids')
    mkdirSync(dir)
    // The JPL catalog's rows with Gaia-style IDs past 2^53 and designations built from them.
    const { header, lines } = jpl()
    const ids = lines.map((_, i) => 5934830981375482112n + BigInt(i) * 1_000_003_009n)
    const rows = lines.map((line, i) => `${ids[i]},"Gaia DR3 ${ids[i]}",${line}`)
    writeFileSync(join(dir, 'ids.csv'), `source_id,designation,${header}\n${rows.join('\n')}\n`, 'latin1')
    const reader = await roundTrip(dir, 'ids')
    expect(await format.columnValues(reader, { entry: 'ids.csv', column: 'source_id' })).toEqual(ids)
    expect(await format.columnValues(reader, { entry: 'ids.csv', column: 'designation' })).toEqual(
      ids.map((id) => `Gaia DR3 ${id}`),
    )
    // Integer columns need readers that know them: the package says so (feature bit 4); a table of the
    // first kinds in ECMAScript's style needs nothing a 1.0 reader lacks.
    expect(reader.trailer.requiredFeatures & format.FEATURE_TEXT_KINDS).toBe(format.FEATURE_TEXT_KINDS)
    const plain = join(work, 'plain')
    mkdirSync(plain)
    writeFileSync(
      join(plain, 'plain.csv'),
      `n,x\n${Array.from({ length: 50_000 }, (_, i) => `${i},${i / 8}`).join('\n')}\n`,
    )
    const first = await roundTrip(plain, 'plain')
    expect(first.segmentsOf(first.entry('plain.csv'))!.some((s) => s.layout === 'text')).toBe(true)
    expect(first.trailer.requiredFeatures & format.FEATURE_TEXT_KINDS).toBe(0)
    const metrics = reader.manifest.tables!.find((t) => t.entry === 'ids.csv')!.columns[0]!.metrics!
    expect(metrics).toMatchObject({
      count: ids.length,
      nulls: 0,
      min: Number(ids[0]),
      max: Number(ids.at(-1)),
    })
  })

  it("finds the header below comment lines, with VizieR's units and rule under it", async () => {
    const dir = join(work, 'vizier')
    mkdirSync(dir)
    const { header, lines } = jpl()
    const names = header.split(',')
    const tsv = (line: string) => line.replaceAll(',', '\t')
    // As VizieR's ASU-TSV: a block of # lines, a blank line, names, units, a rule of dashes, the data.
    const comments = Array.from({ length: 200 }, (_, i) => `#Column\tc${i}\t(F8.3)\tA described column ${i}`)
    const units = names.map((name) => (name === 'H' ? 'mag' : name === 'a' ? 'AU' : ''))
    const vizier = [
      ...comments,
      '',
      tsv(header),
      units.join('\t'),
      names.map(() => '---').join('\t'),
      ...lines.map(tsv),
    ]
    writeFileSync(join(dir, 'vizier.tsv'), `${vizier.join('\n')}\n`, 'latin1')
    // A header written as a comment, the way some tools do, after a UTF-8 byte order mark.
    writeFileSync(
      join(dir, 'commented.csv'),
      `\xef\xbb\xbf# written by a tool\n#${header}\n${lines.join('\n')}\n`,
      'latin1',
    )
    copyFileSync(join(TABLES, 'jpl-sbdb-asteroids.csv'), join(dir, 'jpl.csv'))
    const reader = await roundTrip(dir, 'vizier')
    for (const entry of ['vizier.tsv', 'commented.csv']) {
      const table = reader.manifest.tables!.find((t) => t.entry === entry)!
      expect(
        table.columns.map((c) => c.name),
        entry,
      ).toEqual(names)
      expect(table.rows, entry).toBe(lines.length)
      for (const column of ['full_name', 'H', 'e'])
        expect(await format.columnValues(reader, { entry, column }), `${entry} ${column}`).toEqual(
          await format.columnValues(reader, { entry: 'jpl.csv', column }),
        )
    }
    const columns = reader.manifest.tables!.find((t) => t.entry === 'vizier.tsv')!.columns
    expect(columns.filter((c) => c.unit).map((c) => [c.name, c.unit])).toEqual([
      ['H', 'mag'],
      ['a', 'AU'],
    ])
  })

  it("stores VizieR's right-aligned TSV, and a CSV quoted throughout, as values read and measured as the CSV's", async () => {
    const dir = join(work, 'aligned')
    mkdirSync(dir)
    const { header, lines } = jpl()
    const rows = [header, ...lines].map((line) => line.split(','))
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
    const aligned = rows.map((row) => row.map((field, c) => field.padStart(widths[c]!)).join('\t'))
    writeFileSync(join(dir, 'aligned.tsv'), `${aligned.join('\n')}\n`, 'latin1')
    const quoted = rows.map((row) => row.map((field) => `"${field}"`).join(','))
    writeFileSync(join(dir, 'quoted.csv'), `${quoted.join('\n')}\n`, 'latin1')
    writeFileSync(join(dir, 'plain.csv'), `${header}\n${lines.join('\n')}\n`, 'latin1')
    const reader = await roundTrip(dir, 'aligned')
    const table = (entry: string) => reader.manifest.tables!.find((t) => t.entry === entry)!
    for (const entry of ['aligned.tsv', 'quoted.csv']) {
      expect(table(entry).columns.map((c) => c.metrics)).toEqual(
        table('plain.csv').columns.map((c) => c.metrics),
      )
      for (const column of ['H', 'diameter', 'moid'])
        expect(await format.columnValues(reader, { entry, column }), column).toEqual(
          await format.columnValues(reader, { entry: 'plain.csv', column }),
        )
      // The spaces or quotes cost little: 20-30% more fields' bytes, a few % more stored.
      expect(storedBytes(reader, entry)).toBeLessThan(storedBytes(reader, 'plain.csv') * 1.05)
    }
  })

  it('names the columns of a headerless file as the CSV reader does, and of a header with repeats', async () => {
    const dir = join(work, 'headerless')
    mkdirSync(dir)
    const catalog = tycho2Csv()
    const body = catalog.slice(catalog.indexOf('\n') + 1)
    writeFileSync(join(dir, 'headerless.csv'), body, 'latin1')
    writeFileSync(join(dir, 'repeats.csv'), `ra,ra, ,dec\n${body}`, 'latin1')
    writeFileSync(join(dir, 'catalog.csv'), catalog, 'latin1')
    const reader = await roundTrip(dir, 'headerless')
    const names = (entry: string) =>
      reader.manifest.tables!.find((t) => t.entry === entry)!.columns.map((c) => c.name)
    expect(names('headerless.csv')).toEqual(['col1', 'col2', 'col3', 'col4'])
    expect(names('repeats.csv')).toEqual(['ra', 'ra_2', 'col3', 'dec'])
    const rows = (entry: string) => reader.manifest.tables!.find((t) => t.entry === entry)!.rows
    expect(rows('headerless.csv')).toBe(20000)
    expect(await format.columnValues(reader, { entry: 'headerless.csv', column: 'col2' })).toEqual(
      await format.columnValues(reader, { entry: 'catalog.csv', column: 'dec' }),
    )
  })

  it('finds the header below a block of comment lines longer than 64 KiB', async () => {
    const dir = join(work, 'long-comments')
    mkdirSync(dir)
    const { header, lines } = jpl()
    // As VizieR describes each column of a wide table: 2,000 lines of 50 bytes, 100 KB in all.
    const comments = Array.from(
      { length: 2000 },
      (_, i) => `#Column\tc${i}\t(F8.3)\tDescription of column ${i}`,
    )
    writeFileSync(join(dir, 'described.csv'), `${[...comments, header, ...lines].join('\n')}\n`, 'latin1')
    const reader = await roundTrip(dir, 'long-comments')
    const table = reader.manifest.tables!.find((t) => t.entry === 'described.csv')!
    expect(table).toMatchObject({ rows: lines.length })
    expect(table.columns.map((c) => c.name)).toEqual(header.split(','))
  })

  it('types a wide table whose header is longer than the first read', async () => {
    const dir = join(work, 'wide')
    mkdirSync(dir)
    // The Tycho-2 rows, repeated across 400 columns: a header of 10 KB, far past the 2880 bytes first read.
    const catalog = tycho2Csv()
    const lines = catalog.trimEnd().split('\n').slice(1, 2001)
    const header = Array.from({ length: 100 }, (_, i) => `ra_${i},dec_${i},phot_vt_mag_${i},sweep_${i}`)
    writeFileSync(
      join(dir, 'wide.csv'),
      `${header.join(',')}\n${lines.map((line) => Array(100).fill(line).join(',')).join('\n')}\n`,
    )
    const reader = await roundTrip(dir, 'wide')
    const table = reader.manifest.tables!.find((t) => t.entry === 'wide.csv')!
    expect(table).toMatchObject({ rows: 2000 })
    expect(table.columns).toHaveLength(400)
    expect(await format.columnValues(reader, { entry: 'wide.csv', column: 'dec_99' })).toEqual(
      lines.map((line) => Number(line.split(',')[1])),
    )
  })

  it('packs a text file whose first line has commas but is no table, exactly', async () => {
    const dir = join(work, 'prose')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'notes.txt'),
      `Hello, world, and all\n${'Some prose, with commas, here.\nAnd none here\n'.repeat(3000)}`,
    )
    await roundTrip(dir, 'prose')
  })
})
