import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { craftPackage } from '../../../packages/format/test/craft.js'
import { astropack, CLI, SAMPLE } from './run-cli.js'

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'astropack-cli-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => relative(dir, join(dir, name)))
    .sort()
}
function expectSameTree(a: string, b: string) {
  expect(tree(b)).toEqual(tree(a))
  for (const name of tree(a)) {
    const [sa, sb] = [statSync(join(a, name)), statSync(join(b, name))]
    expect(sb.mode, name).toBe(sa.mode)
    if (sa.isFile()) {
      expect(sha256(join(b, name)), name).toBe(sha256(join(a, name)))
      expect(Math.round(sb.mtimeMs), name).toBe(Math.round(sa.mtimeMs))
    }
  }
}

describe('astropack pack / unpack', () => {
  it.each(['zstd', 'lz4', 'gzip', 'none'])('gives back the sample folder byte for byte with %s', (codec) => {
    const pkg = join(work, `sample-${codec}.astropack`)
    const out = join(work, `out-${codec}`)
    const pack = astropack(
      'pack',
      SAMPLE,
      '-o',
      pkg,
      '--codec',
      codec,
      '--survey',
      'sample',
      '--threads',
      '2',
    )
    expect(pack.status, pack.stderr).toBe(0)
    expect(pack.stdout).toMatch(/packed 9 files .* ratio \d+\.\d\d/)
    const unpack = astropack('unpack', pkg, '-o', out)
    expect(unpack.status, unpack.stderr).toBe(0)
    expectSameTree(SAMPLE, out)
    expect(astropack('validate', pkg).status).toBe(0)
    expect(astropack('validate', pkg, '--full').status).toBe(0)
  })

  it('prints machine-readable results with --json', () => {
    const pkg = join(work, 'json.astropack')
    const result = JSON.parse(astropack('pack', SAMPLE, '-o', pkg, '--json', '--level', 'max').stdout)
    expect(result).toMatchObject({ files: 9, inputBytes: 3391895 })
    expect(result.ratio).toBeGreaterThan(2)
    const info = JSON.parse(astropack('inspect', pkg, '--json').stdout)
    expect(info).toMatchObject({ files: 9, rawBytes: 3391895, packageBytes: statSync(pkg).size })
    const entries = JSON.parse(astropack('ls', pkg, '--json').stdout)
    expect(entries.map((e: { path: string }) => e.path)).toContain('fits/wmap7-W-iqu-nside32.fits')
  })

  it('lists the tables readers recognised, with columns and units', () => {
    const pkg = join(work, 'tables.astropack')
    astropack('pack', SAMPLE, '-o', pkg)
    const tables = JSON.parse(astropack('tables', pkg, '--json').stdout)
    const csv = tables.find((t: { entry: string }) => t.entry === 'tables/jpl-sbdb-asteroids.csv')
    expect(csv).toMatchObject({ source: 'csv', rows: 7099 })
    expect(csv.columns.map((c: { name: string }) => c.name).slice(0, 3)).toEqual(['full_name', 'neo', 'H'])
    const wmap = tables.find((t: { entry: string }) => t.entry === 'fits/wmap7-W-iqu-nside32.fits')
    expect(wmap).toMatchObject({ source: 'fits', hdu: 1, rows: 12 })
    expect(wmap.columns[0]).toMatchObject({ name: 'I_STOKES', type: '1024E' })
    expect(csv.columns.find((c: { name: string }) => c.name === 'H').metrics).toMatchObject({
      count: 7099,
      nulls: 0,
    })
    // A CSV column's type is the one the CSV reader infers (export reads it so).
    expect(csv.columns.map((c: { type: string }) => c.type).slice(0, 3)).toEqual([
      'string',
      'string',
      'float64',
    ])
    expect(astropack('tables', pkg).stdout).toMatch(/^ {2}H float64 {2}n=7099 -1\.21\.\.11\.99 mean=/m)
  })

  it("with --storage, gives each column's stored bytes, chunks and chain, adding up to its file's", () => {
    const pkg = join(work, 'tables.astropack')
    const tables = JSON.parse(astropack('tables', pkg, '--storage', '--json').stdout)
    const entries = JSON.parse(astropack('ls', pkg, '--json').stdout)
    const storedOf = (path: string) => entries.find((e: { path: string }) => e.path === path).storedBytes
    const csv = tables.find((t: { entry: string }) => t.entry === 'tables/jpl-sbdb-asteroids.csv')
    const columns = csv.columns.map((c: { storage: { storedBytes: number } }) => c.storage.storedBytes)
    const sum = columns.reduce((a: number, b: number) => a + b, 0)
    // The columns are all of the file but its header line (a chunk of its own, under 200 bytes).
    expect(storedOf('tables/jpl-sbdb-asteroids.csv') - sum).toBeGreaterThan(0)
    expect(storedOf('tables/jpl-sbdb-asteroids.csv') - sum).toBeLessThan(200)
    const q = csv.columns.find((c: { name: string }) => c.name === 'q').storage
    expect(q).toMatchObject({ chunks: 1, codec: 'zstd', shared: false })
    expect(q.storedBytes).toBeLessThan(
      columns[csv.columns.findIndex((c: { name: string }) => c.name === 'a')] / 4,
    )
    expect(astropack('tables', pkg, '--storage').stdout).toMatch(
      /^ {2}I_STOKES 1024E .* stored \d+(\.\d+)? KiB in 1 chunk \(zstd [a-z-]+4/m,
    )
  })

  it('prints a schema the package satisfies; validate --schema reports each violation of a stricter one', () => {
    const pkg = join(work, 'tables.astropack')
    const schemaPath = join(work, 'schema.json')
    const schema = JSON.parse(astropack('schema', pkg).stdout)
    writeFileSync(schemaPath, JSON.stringify(schema))
    expect(astropack('validate', pkg, '--schema', schemaPath).status).toBe(0)
    const jpl = schema.astropackTables.find(
      (t: { entry: string }) => t.entry === 'tables/jpl-sbdb-asteroids.csv',
    )
    const h = jpl.columns.find((c: { name: string }) => c.name === 'H')
    h.max = 10 // the catalog has H up to 11.99
    jpl.columns.push({ name: 'no_such_column' })
    writeFileSync(schemaPath, JSON.stringify(schema))
    const run = astropack('validate', pkg, '--schema', schemaPath)
    expect(run.status).toBe(1)
    const lines = run.stderr.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/column "H" has values up to 11\.99, above the maximum 10/)
    expect(lines[1]).toMatch(/column "no_such_column" is missing/)
  })

  it('says a package that cannot be opened is a usage error (exit 2), not an invalid package', () => {
    for (const [path, text] of [
      [join(work, 'no-such.astropack'), /^astropack: cannot open .*no-such\.astropack.* \[NOT_FOUND\]$/m],
      [work, /^astropack: .* is a folder, not a package file \[USAGE\]$/m],
    ] as const) {
      const run = astropack('validate', path)
      expect(run.status).toBe(2)
      expect(run.stderr).toMatch(text)
      expect(run.stderr).not.toMatch(/invalid/)
      // JSON callers get the result, with the same exit code.
      const json = astropack('validate', path, '--json')
      expect(json.status).toBe(2)
      expect(JSON.parse(json.stdout)).toMatchObject({ isValid: false, entries: 0 })
    }
  })

  it('cats one entry to stdout, identical to the original', () => {
    const pkg = join(work, 'cat.astropack')
    astropack('pack', SAMPLE, '-o', pkg)
    const out = astropack('cat', pkg, 'tables/jpl-sbdb-asteroids.csv')
    expect(out.status).toBe(0)
    expect(out.stdoutBytes.equals(readFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv')))).toBe(true)
    const missing = astropack('cat', pkg, 'nope.txt')
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/no entry "nope.txt"/)
  })

  it('cats an entry whose bytes are not the file packed, then fails on its SHA-256', async () => {
    // Its one chunk is whole (its CRC-32 is right); the SHA-256 the index holds for it is of other bytes.
    const pkg = join(work, 'other-sha256.astropack')
    writeFileSync(pkg, await craftPackage({ entries: [{ sha256: '0'.repeat(64) }] }))
    const run = astropack('cat', pkg, 'file0.txt')
    expect(run.stdout).toBe('hello')
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/file0\.txt: SHA-256 2cf24dba\w+ does not match 0{64} \[CHECKSUM_MISMATCH\]/)
  })

  it('refuses to overwrite without --overwrite, writing nothing', () => {
    const pkg = join(work, 'ow.astropack')
    const out = join(work, 'ow')
    astropack('pack', SAMPLE, '-o', pkg)
    mkdirSync(join(out, 'docs'), { recursive: true })
    writeFileSync(join(out, 'docs/cds-ReadMe.txt'), 'mine')
    const refused = astropack('unpack', pkg, '-o', out)
    expect(refused.status).toBe(2)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(tree(out)).toEqual(['docs', 'docs/cds-ReadMe.txt'])
    expect(readFileSync(join(out, 'docs/cds-ReadMe.txt'), 'utf8')).toBe('mine')
    expect(astropack('pack', SAMPLE, '-o', pkg).status).toBe(2)
    expect(astropack('unpack', pkg, '-o', out, '--overwrite').status).toBe(0)
    expectSameTree(SAMPLE, out)
  })

  it('names a file standing where the output folder should be, as a typed error', () => {
    const pkg = join(work, 'in-the-way.astropack')
    const file = join(work, 'in-the-way.txt')
    writeFileSync(file, 'mine')
    expect(astropack('pack', SAMPLE, '-o', pkg).status).toBe(0)
    const run = astropack('unpack', pkg, '-o', file)
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(`astropack: cannot create folder ${file}: a file is in the way [IO]\n`)
    expect(readFileSync(file, 'utf8')).toBe('mine')
  })

  it('names the file a full disk stopped (here a file size limit), leaving no partial file', () => {
    const pkg = join(work, 'limit.astropack')
    const out = join(work, 'limit-out')
    expect(astropack('pack', SAMPLE, '-o', pkg).status).toBe(0)
    // ulimit -f: writes past 100 blocks fail with EFBIG (Node ignores SIGXFSZ), as on a full disk.
    const args = [process.execPath, CLI, 'unpack', pkg, '-o', out]
    const run = spawnSync('sh', ['-c', 'ulimit -f 100; exec "$@"', 'sh', ...args], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^astropack: cannot write .+: EFBIG: file too large, write \[IO\]\n$/)
    expect(tree(out).filter((name) => name.endsWith('.partial'))).toEqual([])
  })

  it('packs several surveys with batch', () => {
    const surveys = join(work, 'surveys')
    mkdirSync(join(surveys, 'sdss'), { recursive: true })
    mkdirSync(join(surveys, 'jpl'), { recursive: true })
    writeFileSync(
      join(surveys, 'sdss/psField.fit'),
      readFileSync(join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit')),
    )
    writeFileSync(
      join(surveys, 'jpl/asteroids.csv'),
      readFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv')),
    )
    const run = astropack('batch', surveys, '-o', join(work, 'batch'), '--json')
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).map((r: { survey: string }) => r.survey)).toEqual(['jpl', 'sdss'])
    const info = JSON.parse(astropack('inspect', join(work, 'batch/sdss.astropack'), '--json').stdout)
    expect(info.manifest.survey).toEqual({ name: 'sdss' })
  })
})

describe('damaged packages: exit code 1 and one clear line', () => {
  let pkg: string
  let good: Buffer
  beforeAll(() => {
    pkg = join(work, 'damage.astropack')
    astropack('pack', SAMPLE, '-o', pkg)
    good = readFileSync(pkg)
  })

  it.each([
    ['a chunk', 5000],
    ['the header', 3],
    ['the index', -200],
    ['the trailer', -10],
  ])('reports a flipped byte in %s', (_, at) => {
    const bad = Buffer.from(good)
    const offset = at < 0 ? bad.length + at : at
    bad[offset]! ^= 0x01
    const path = join(work, `flip-${offset}.astropack`)
    writeFileSync(path, bad)
    for (const args of [
      ['validate', path],
      ['validate', path, '--full'],
    ]) {
      const run = astropack(...args)
      expect(run.status).toBe(1)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
      expect(run.stderr).toMatch(/^invalid: .+ \[[A-Z_]+\]/)
    }
    const out = join(work, `flip-out-${offset}`)
    expect(astropack('unpack', path, '-o', out).status).toBe(1)
    // Nothing half-written: no temporary file is left, and a file that is there is whole.
    const left = existsSync(out) ? tree(out) : []
    expect(left.filter((name) => name.includes('.partial'))).toEqual([])
    for (const name of left.filter((name) => statSync(join(out, name)).isFile()))
      expect(sha256(join(out, name)), name).toBe(sha256(join(SAMPLE, name)))
  })

  it('reports a truncated copy', () => {
    const path = join(work, 'cut.astropack')
    writeFileSync(path, good.subarray(0, good.length - 1000))
    const run = astropack('validate', path)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^invalid: .*\[TRUNCATED\]\n$/)
    const unpack = astropack('unpack', path, '-o', join(work, 'cut-out'))
    expect(unpack.status).toBe(1)
    expect(unpack.stderr).toMatch(/^astropack: .*\[TRUNCATED\]\n$/)
  })

  it('reports a file that is not a package', () => {
    const run = astropack('validate', join(SAMPLE, 'docs/cds-ReadMe.txt'))
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/BAD_MAGIC/)
  })

  it('shows a stack trace only with --debug', () => {
    const path = join(work, 'cut.astropack')
    expect(astropack('unpack', path, '-o', join(work, 'x')).stderr).not.toMatch(/\n\s+at /)
    expect(astropack('--debug', 'unpack', path, '-o', join(work, 'x')).stderr).toMatch(/\n\s+at /)
  })
})

describe('usage errors: exit code 2', () => {
  it.each([
    [[]],
    [['pack', SAMPLE]],
    [['pack', SAMPLE, '-o', '/tmp/x.astropack', '--codec', 'brotli']],
    [['pack', SAMPLE, '-o', '/tmp/x.astropack', '--level', '99']],
    [['pack', SAMPLE, '-o', '/tmp/x.astropack', '--threads', '0']],
    [['pack', '/no/such/folder', '-o', '/tmp/x.astropack']],
    [['frobnicate']],
  ])('%j', (args) => {
    const run = astropack(...args)
    expect(run.status).toBe(2)
    expect(run.stderr.length).toBeGreaterThan(0)
  })
})

describe('nothing escapes the output folder', () => {
  it.each(['../escape.txt', 'a/../../escape.txt', '/tmp/astropack-escape.txt'])(
    'refuses an entry named %j',
    async (path) => {
      const dir = mkdtempSync(join(work, 'hostile-'))
      const pkg = join(dir, 'hostile.astropack')
      writeFileSync(pkg, await craftPackage({ entries: [{ path }] }))
      const out = join(dir, 'out')
      const run = astropack('unpack', pkg, '-o', out)
      expect(run.status).toBe(1)
      expect(run.stderr).toMatch(/UNSAFE_PATH/)
      expect(tree(dir)).toEqual(['hostile.astropack'])
      expect(() => statSync('/tmp/astropack-escape.txt')).toThrow()
    },
  )

  it('refuses to unpack through a symlink in the output folder', () => {
    const dir = mkdtempSync(join(work, 'symlink-'))
    const outside = join(dir, 'outside')
    const out = join(dir, 'out')
    mkdirSync(outside)
    mkdirSync(out)
    symlinkSync(outside, join(out, 'docs'))
    const pkg = join(work, 'cat.astropack')
    const run = astropack('unpack', pkg, '-o', out)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/symlink/)
    expect(readdirSync(outside)).toEqual([])
  })

  it('refuses to pack a symlink that points outside the folder', () => {
    const dir = mkdtempSync(join(work, 'src-'))
    symlinkSync('/etc/hostname', join(dir, 'hostname'))
    const run = astropack('pack', dir, '-o', join(work, 'symlink-out.astropack'))
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/points outside/)
  })

  it('names a broken symlink as such, not as one pointing outside', () => {
    const dir = mkdtempSync(join(work, 'src-'))
    symlinkSync('missing.fits', join(dir, 'image.fits'))
    const run = astropack('pack', dir, '-o', join(work, 'broken-link.astropack'))
    expect(run.status).toBe(1)
    expect(run.stderr).toBe('astropack: symlink image.fits points to nothing (a broken link) [IO]\n')
    expect(existsSync(join(work, 'broken-link.astropack'))).toBe(false)
  })
})

// script(1) (util-linux) gives the CLI a terminal; the bar is drawn only there.
const hasScript = spawnSync('script', ['--version']).status === 0

describe('progress on a terminal', () => {
  it.skipIf(!hasScript)('draws a bar with the sizes in units, and none when stderr is a pipe', () => {
    const pkg = join(work, 'progress.astropack')
    const command = [process.execPath, CLI, 'pack', SAMPLE, '-o', pkg].map((a) => `'${a}'`).join(' ')
    const terminal = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' })
    expect(terminal.status, terminal.stdout).toBe(0)
    expect(terminal.stdout).toMatch(/ pack \[[=-]+\] \d+% \| [\d.]+ (B|KiB|MiB) of [\d.]+ (KiB|MiB) \| /)
    const piped = astropack('pack', SAMPLE, '-o', pkg, '--overwrite')
    expect(piped.status, piped.stderr).toBe(0)
    expect(piped.stderr).toBe('')
  })
})
