import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveRanges } from '../../../packages/format/test/range-server.js'
import { astropack, astropackAsync, SAMPLE } from './run-cli.js'

const PSFIELD = 'fits/sdss-psField-003366-3-0110.fit' // HDU 9: 780 rows of `file` (100A) and `crc` (1J)
const WMAP = 'fits/wmap7-W-iqu-nside32.fits' // 12 rows of three 1024E vectors
const work = mkdtempSync(join(tmpdir(), 'astropack-column-'))
let pkgPath: string
let pkg: Buffer
/** Where each table's rows start in its file, from `astropack tables --json`. */
const dataOffset = new Map<string, number>()

beforeAll(() => {
  pkgPath = join(work, 'sample.astropack')
  expect(astropack('pack', SAMPLE, '-o', pkgPath).status).toBe(0)
  pkg = readFileSync(pkgPath)
  const tables = JSON.parse(astropack('tables', pkgPath, '--json').stdout) as {
    entry: string
    dataOffset: number
  }[]
  for (const table of tables) dataOffset.set(table.entry, table.dataOffset)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Field `offset`..`offset + width` of rows [start, end), straight from the original FITS file. */
function fitsFields(
  entry: string,
  rowWidth: number,
  offset: number,
  width: number,
  start: number,
  end: number,
) {
  const file = readFileSync(join(SAMPLE, entry))
  return Array.from({ length: end - start }, (_, i) => {
    const at = dataOffset.get(entry)! + (start + i) * rowWidth + offset
    return file.subarray(at, at + width)
  })
}

describe('astropack column', () => {
  it('prints an integer column one value per line, as the FITS file holds it', () => {
    const run = astropack('column', pkgPath, PSFIELD, 'crc')
    expect(run.status, run.stderr).toBe(0)
    const expected = fitsFields(PSFIELD, 104, 100, 4, 0, 780).map((field) => String(field.readInt32BE(0)))
    expect(run.stdout).toBe(`${expected.join('\n')}\n`)
  })

  it('prints a row range of a string column as JSON', () => {
    const run = astropack('column', pkgPath, PSFIELD, 'file', '--table', '9', '--rows', '150:160', '--json')
    expect(run.status, run.stderr).toBe(0)
    const expected = fitsFields(PSFIELD, 104, 0, 100, 150, 160).map((field) =>
      field.toString('latin1').replace(/\0.*$/s, '').trimEnd(),
    )
    expect(JSON.parse(run.stdout)).toEqual(expected)
    expect(expected[0]).toMatch(/\.fit$/)
    expect(
      JSON.parse(astropack('column', pkgPath, PSFIELD, 'crc', '--rows', '779:', '--json').stdout),
    ).toEqual([fitsFields(PSFIELD, 104, 100, 4, 779, 780)[0]!.readInt32BE(0)])
  })

  it('writes the stored bytes of a vector column with --raw', () => {
    const run = astropack('column', pkgPath, WMAP, 'Q_STOKES', '--rows', ':2', '--raw')
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdoutBytes.equals(Buffer.concat(fitsFields(WMAP, 12288, 4096, 4096, 0, 2)))).toBe(true)
  })

  it('exits 2 with a one-line typed error for unknown names and bad ranges', () => {
    const cases: [string[], string][] = [
      [[PSFIELD, 'nope'], 'NOT_FOUND'],
      [['nope.fits', 'crc'], 'NOT_FOUND'],
      [[PSFIELD, 'crc', '--table', '4'], 'NOT_FOUND'],
      [[PSFIELD, 'crc', '--rows', '5:2'], 'USAGE'],
      [[PSFIELD, 'crc', '--rows', '0:781'], 'USAGE'],
      [[WMAP, 'I_STOKES'], 'USAGE'],
      [[PSFIELD, 'crc', '--json', '--raw'], 'USAGE'],
    ]
    for (const [args, code] of cases) {
      const run = astropack('column', pkgPath, ...args)
      expect(run.status, args.join(' ')).toBe(2)
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(run.stderr).toContain(`[${code}]`)
      expect(run.stdout).toBe('')
    }
    const badRows = astropack('column', pkgPath, PSFIELD, 'crc', '--rows', 'x')
    expect(badRows.status).toBe(2)
    expect(badRows.stderr).toContain('START:END')
  })

  it('reads the same column over HTTP, fetching a small part of the package', async () => {
    const server = await serveRanges(pkg)
    try {
      const url = server.url()
      const remote = await astropackAsync('column', url, PSFIELD, 'crc', '--json')
      expect(remote.status, remote.stderr).toBe(0)
      expect(remote.stdout).toBe(astropack('column', pkgPath, PSFIELD, 'crc', '--json').stdout)
      // The trailer and index (one 64 KiB read) and the crc chunk: not the 1.5 MB package.
      expect(server.sent).toBeLessThan(pkg.length / 10)
    } finally {
      await server.close()
    }
  })
})
