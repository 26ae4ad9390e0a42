import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  batchPackSurveys,
  format,
  packSurveyData,
  packWithCustomCompression,
  schemaOf,
  unpackSurveyData,
  validatePackage,
} from 'astropack' // the built package: its worker threads run compiled JavaScript
import { afterAll, describe, expect, it } from 'vitest'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'astropack-api-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('the seed API', () => {
  it('packs, validates and unpacks a survey folder, reporting progress', async () => {
    const progress: number[] = []
    const packPath = join(work, 'sample.astropack')
    const packed = await packSurveyData({
      surveyName: 'sample',
      sourcePath: SAMPLE,
      outputPath: packPath,
      compression: 'zstd',
      level: 5,
      threads: 2,
      metadata: { telescope: 'various', release: 'test' },
      onProgress: (p) => progress.push(p.bytesDone),
    })
    expect(packed).toMatchObject({ files: 9, inputBytes: 3391895, packageBytes: statSync(packPath).size })
    expect(progress.at(-1)).toBe(3391895)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))

    const valid = await validatePackage({ packPath, checksumVerification: true })
    expect(valid).toMatchObject({ isValid: true, errors: [], entries: 12 })

    const out = join(work, 'unpacked')
    const unpacked = await unpackSurveyData({ packPath, outputPath: out })
    expect(unpacked).toMatchObject({ files: 9, bytes: 3391895 })
    const csv = 'tables/jpl-sbdb-asteroids.csv'
    expect(sha256(join(out, csv))).toBe(sha256(join(SAMPLE, csv)))
  })

  it('reports every damaged entry of a full check, in entry order, and checks the ones after them', async () => {
    const packPath = join(work, 'damaged.astropack')
    await packSurveyData({ surveyName: 's', sourcePath: SAMPLE, outputPath: packPath, threads: 2 })
    const reader = await format.openPackage(format.fromBytes(readFileSync(packPath)))
    const files = reader.entries.filter((e) => e.kind === 'file' && e.chunkCount > 0)
    const [first, last] = [files[0]!, files.at(-1)!]
    const bytes = readFileSync(packPath)
    for (const entry of [first, last]) bytes[reader.chunks[entry.firstChunk]!.offset + 7]! ^= 0xff
    writeFileSync(packPath, bytes)
    for (const threads of [1, 2]) {
      const result = await validatePackage({ packPath, checksumVerification: 'full', threads })
      expect(result.isValid).toBe(false)
      expect(result.errors.map((e) => [e.entry, e.code])).toEqual([
        [first.path, 'CHECKSUM_MISMATCH'],
        [last.path, 'CHECKSUM_MISMATCH'],
      ])
    }
  })

  it('checks the manifest against an expected schema', async () => {
    const packPath = join(work, 'schema.astropack')
    await packSurveyData({ surveyName: 'gaia-dr3', sourcePath: SAMPLE, outputPath: packPath })
    const needsRelease = {
      type: 'object',
      required: ['metadata'],
      properties: { survey: { properties: { name: { pattern: '^gaia' } } } },
    }
    const result = await validatePackage({ packPath, expectedSchema: needsRelease })
    expect(result.isValid).toBe(false)
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'BAD_MANIFEST', message: expect.stringMatching(/metadata/) }),
    ])
    const wrongSurvey = { properties: { survey: { properties: { name: { const: 'sdss' } } } } }
    expect((await validatePackage({ packPath, expectedSchema: wrongSurvey })).isValid).toBe(false)
    const ok = { properties: { survey: { properties: { name: { const: 'gaia-dr3' } } } } }
    expect((await validatePackage({ packPath, expectedSchema: ok })).isValid).toBe(true)
  })

  it('checks tables and columns against an expected schema: names, types, units, value ranges', async () => {
    const packPath = join(work, 'tables.astropack')
    await packSurveyData({ surveyName: 'wmap', sourcePath: join(SAMPLE, 'fits'), outputPath: packPath })
    const reader = await format.openPackage(format.fromBytes(readFileSync(packPath)))
    // The package's own schema (names, types, units, observed ranges) is satisfied by the package.
    const own = schemaOf(reader.manifest)
    expect(own.astropackTables.length).toBeGreaterThan(0)
    expect((await validatePackage({ packPath, expectedSchema: own })).errors).toEqual([])

    const stokes = reader.manifest.tables!.find((t) => t.entry === 'wmap7-W-iqu-nside32.fits')!
    const observed = stokes.columns.find((c) => c.name === 'I_STOKES')!.metrics!
    const expectedSchema = {
      required: ['survey'],
      astropackTables: [
        {
          entry: 'wmap7-W-iqu-nside32.fits',
          rows: { min: (stokes.rows ?? 0) + 1 },
          columns: [
            { name: 'I_STOKES', type: '1024E', unit: 'mK', max: observed.max! - 1, maxNaNs: 0 },
            { name: 'POLARISATION', type: 'E' },
          ],
        },
        { name: 'NO-SUCH-TABLE' },
      ],
    }
    const { isValid, errors } = await validatePackage({ packPath, expectedSchema })
    expect(isValid).toBe(false)
    const messages = errors.map((e) => e.message)
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/has \d+ rows, expected at least/),
        expect.stringMatching(/column "I_STOKES" has unit "", expected "mK"/),
        expect.stringMatching(/column "I_STOKES" has values up to .* above the maximum/),
        expect.stringMatching(/column "POLARISATION" is missing/),
        expect.stringMatching(/table "NO-SUCH-TABLE" is missing/),
      ]),
    )
    if (observed.nans > 0) expect(messages).toContainEqual(expect.stringMatching(/NaNs, at most 0 allowed/))
    expect(errors.every((e) => e.code === 'BAD_MANIFEST')).toBe(true)

    // A requirement that is itself malformed is refused, not silently passed.
    const typo = { astropackTables: [{ name: 'x', columns: [{ name: 'ra', mn: 0 }] }] }
    await expect(validatePackage({ packPath, expectedSchema: typo })).rejects.toMatchObject({ code: 'USAGE' })
  })

  it('packs one file given instead of a folder, under its own name', async () => {
    const file = join(SAMPLE, 'tables', 'jpl-sbdb-asteroids.csv')
    const packPath = join(work, 'one-file.astropack')
    const packed = await packSurveyData({ surveyName: 'one', sourcePath: file, outputPath: packPath })
    expect(packed).toMatchObject({ files: 1, inputBytes: statSync(file).size })
    const out = join(work, 'one-file')
    await unpackSurveyData({ packPath, outputPath: out })
    expect(sha256(join(out, 'jpl-sbdb-asteroids.csv'))).toBe(sha256(file))
  })

  it('reports a missing package as invalid, not as a crash', async () => {
    const result = await validatePackage({ packPath: join(work, 'missing.astropack') })
    expect(result).toMatchObject({ isValid: false, errors: [expect.objectContaining({ code: 'NOT_FOUND' })] })
  })

  it('writes the same chunks whatever the thread count, and on this thread alone (small inputs, by default)', async () => {
    const runs = [1, 2, undefined].map((threads) => ({ threads, path: join(work, `t${threads}.astropack`) }))
    for (const { threads, path } of runs) {
      await packWithCustomCompression({
        sourcePath: SAMPLE,
        outputPath: path,
        algorithm: 'zstd',
        level: 3,
        threads,
      })
    }
    const [a, ...others] = runs.map(({ path }) => readFileSync(path))
    const dataEnd = (await format.openPackage(format.fromBytes(a!))).trailer.indexOffset
    for (const b of others) expect(a!.subarray(0, dataEnd).equals(b.subarray(0, dataEnd))).toBe(true)
    // ... and each unpacks the same on worker threads and inline.
    for (const { threads, path } of runs) {
      const out = join(work, `t${threads}-out`)
      await unpackSurveyData({ packPath: path, outputPath: out })
      const csv = 'tables/jpl-sbdb-asteroids.csv'
      expect(sha256(join(out, csv))).toBe(sha256(join(SAMPLE, csv)))
    }
  })

  it('packs a batch of surveys, reporting a failing one without stopping the rest', async () => {
    const surveys = join(work, 'surveys')
    await mkdir(join(surveys, 'jpl'), { recursive: true })
    writeFileSync(
      join(surveys, 'jpl/asteroids.csv'),
      readFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv')),
    )
    const results = await batchPackSurveys({
      surveys: ['missing', 'jpl'],
      sourceDir: surveys,
      outputDir: join(work, 'batch'),
      compression: 'gzip',
    })
    expect(results.map((r) => [r.survey, r.error?.code ?? 'ok'])).toEqual([
      ['missing', 'NOT_FOUND'],
      ['jpl', 'ok'],
    ])
  })
})
