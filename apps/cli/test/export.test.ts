import { spawnSync } from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { astropack, astropackWithPeakRss, SAMPLE } from './run-cli.js'

const MiB = 1024 * 1024
const PSFIELD = 'fits/sdss-psField-003366-3-0110.fit'
let work: string
let pkg: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'astropack-export-cli-'))
  pkg = join(work, 'sample.astropack')
  const pack = astropack('pack', SAMPLE, '-o', pkg, '--threads', '2')
  expect(pack.status, pack.stderr).toBe(0)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')

describe('astropack export', () => {
  it('writes a table as Parquet, CSV and Arrow, chosen by HDU, name or entry', () => {
    const parquet = astropack('export', pkg, '--table', '9', '--to', 'parquet', '-o', join(work, 't.parquet'))
    expect(parquet.status, parquet.stderr).toBe(0)
    expect(parquet.stdout).toMatch(
      /^exported fits\/sdss-psField-003366-3-0110\.fit HDU 9 \(780 rows, 2 columns\)/,
    )
    const bytes = readFileSync(join(work, 't.parquet'))
    expect([ascii(bytes.subarray(0, 4)), ascii(bytes.subarray(-4))]).toEqual(['PAR1', 'PAR1'])

    const csv = astropack('export', pkg, '--entry', PSFIELD, '--to', 'csv', '-o', join(work, 't.csv'))
    expect(csv.status, csv.stderr).toBe(0)
    const lines = readFileSync(join(work, 't.csv'), 'utf8').split('\n')
    expect(lines[0]).toBe('file,crc')
    expect(lines).toHaveLength(782) // header, 780 rows, and the empty string after the last line end

    const arrow = astropack(
      'export',
      pkg,
      '--table',
      'XTENSION',
      '--to',
      'arrow',
      '-o',
      join(work, 't.arrow'),
      '--json',
    )
    expect(arrow.status, arrow.stderr).toBe(0)
    expect(JSON.parse(arrow.stdout)).toMatchObject({
      entry: 'fits/wmap7-W-iqu-nside32.fits',
      hdu: 1,
      rows: 12,
    })
    expect(ascii(readFileSync(join(work, 't.arrow')).subarray(0, 6))).toBe('ARROW1')
  })

  it('writes the files as a ZIP that unzip checks and extracts, all of them or the entries asked', (context) => {
    const all = astropack('export', pkg, '--to', 'zip', '-o', join(work, 'all.zip'), '--json')
    expect(all.status, all.stderr).toBe(0)
    expect(JSON.parse(all.stdout)).toMatchObject({ files: 9 })
    const some = astropack(
      'export',
      pkg,
      '--to',
      'zip',
      '--entry',
      'docs',
      '--entry',
      PSFIELD,
      '-o',
      join(work, 'some.zip'),
    )
    expect(some.status, some.stderr).toBe(0)
    expect(some.stdout).toMatch(/^exported 3 files .* all SHA-256 verified/)
    if (spawnSync('unzip', ['-v']).error)
      context.skip('the unzip command is not installed (Debian: apt-get install unzip)')
    expect(spawnSync('unzip', ['-tq', join(work, 'all.zip')]).status).toBe(0)
    const out = join(work, 'unzipped')
    expect(spawnSync('unzip', ['-q', join(work, 'some.zip'), '-d', out]).status).toBe(0)
    for (const name of ['docs/cds-ReadMe.txt', 'docs/irsa-m31.vot.xml', PSFIELD])
      expect(readFileSync(join(out, name)).equals(readFileSync(join(SAMPLE, name))), name).toBe(true)
  })

  it('answers a usage mistake with exit code 2 and one line naming what to do', () => {
    const cases: [string[], RegExp][] = [
      [['--to', 'parquet'], /has 5 tables; choose one with --table .*HDU 9.*\[USAGE\]$/],
      [['--to', 'parquet', '--table', '5'], /no table HDU 5 in the package \(tables: .*\[NOT_FOUND\]$/],
      [
        ['--to', 'xlsx'],
        /cannot export to "xlsx" \(formats: parquet, arrow, csv, fits, hdf5, zip\) \[USAGE\]$/,
      ],
      [['--to', 'zip', '--table', '9'], /\[USAGE\]$/],
      [['--to', 'csv', '--entry', 'nope.fits'], /no entry "nope.fits".*\[NOT_FOUND\]$/],
    ]
    for (const [flags, message] of cases) {
      const run = astropack('export', pkg, ...flags, '-o', join(work, 'never'))
      expect(run.status, flags.join(' ')).toBe(2)
      expect(run.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1)
      expect(run.stderr.trim(), flags.join(' ')).toMatch(message)
    }
    writeFileSync(join(work, 'taken.csv'), 'mine')
    const taken = astropack('export', pkg, '--table', '9', '--to', 'csv', '-o', join(work, 'taken.csv'))
    expect([taken.status, readFileSync(join(work, 'taken.csv'), 'utf8')]).toEqual([2, 'mine'])
  })

  it('answers a damaged package with exit code 1', () => {
    const cut = join(work, 'cut.astropack')
    writeFileSync(cut, readFileSync(pkg).subarray(0, 100_000))
    const run = astropack('export', cut, '--table', '9', '--to', 'csv', '-o', join(work, 'cut.csv'))
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^astropack: .*\[[A-Z_]+\]\n$/)
  })
})

describe('memory stays bounded whatever the table size', () => {
  it('exports a 512 MiB table to every format within 400 MiB RSS', async () => {
    const input = join(work, 'big')
    mkdirSync(input)
    await repeatedTable(join(input, 'names.fits'), 512 * MiB)
    const big = join(work, 'big.astropack')
    expect(astropack('pack', input, '-o', big, '--threads', '2').status).toBe(0)
    for (const to of ['parquet', 'csv', 'arrow', 'zip']) {
      const run = await astropackWithPeakRss('export', big, '--to', to, '-o', join(work, `big.${to}`))
      expect(run.status, run.stderr).toBe(0)
      expect(run.peakRss, to).toBeLessThan(400 * MiB)
      rmSync(join(work, `big.${to}`))
    }
  }, 300_000)
})

/**
 * The psField file-name table (HDU 9: 780 rows of 100A and 1J, the last HDU) with its rows repeated until
 * the file is about `bytes` long: the primary HDU, HDU 9's header with NAXIS2 changed, the rows, padding.
 */
async function repeatedTable(out: string, bytes: number): Promise<void> {
  const file = readFileSync(join(SAMPLE, PSFIELD))
  const text = file.toString('latin1')
  const [rowBytes, rowCount] = [104, 780]
  const dataStart = 256_320 // as `astropack tables --json` gives it (dataOffset)
  const headerStart = text.lastIndexOf('XTENSION=', dataStart)
  const firstExtension = text.indexOf('XTENSION=')
  const rows = file.subarray(dataStart, dataStart + rowBytes * rowCount)
  const copies = Math.ceil(bytes / rows.length)
  const header = Buffer.from(file.subarray(headerStart, dataStart))
  const naxis2 = header.toString('latin1').indexOf('NAXIS2  =')
  header.write(String(rowCount * copies).padStart(20), naxis2 + 10, 'latin1')
  const fd = openSync(out, 'w')
  writeSync(fd, file.subarray(0, firstExtension)) // the primary HDU
  writeSync(fd, header)
  const block = Buffer.concat(Array.from({ length: 64 }, () => rows))
  for (let c = 0; c < copies; c += 64) writeSync(fd, block, 0, Math.min(64, copies - c) * rows.length)
  writeSync(fd, Buffer.alloc((2880 - ((copies * rows.length) % 2880)) % 2880))
  closeSync(fd)
}
