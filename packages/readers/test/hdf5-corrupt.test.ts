import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAstropackError } from '@astropack/codecs'
import { afterAll, describe, expect, it } from 'vitest'
import { type Hdf5ArrowOptions, hdf5TableToArrow, scanHdf5 } from '../src/index.js'

// The HDF5 library prints its error stack to stderr for most of these; the tests look only at what we throw.
const fixture = (name: string) => new URL(`./fixtures/hdf5/${name}`, import.meta.url).pathname
const directory = mkdtempSync(join(tmpdir(), 'astropack-hdf5-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

let written = 0
/** Writes bytes to a new file (h5wasm reads files by path) and returns its path. */
function file(bytes: Uint8Array): string {
  const path = join(directory, `case-${written++}.h5`)
  writeFileSync(path, bytes)
  return path
}

function damaged(name: string, change: (bytes: Uint8Array) => void): string {
  const bytes = new Uint8Array(readFileSync(fixture(name)))
  change(bytes)
  return file(bytes)
}

async function readAll(path: string, options: Hdf5ArrowOptions): Promise<number> {
  return (await readRows(path, options)).length
}

async function readRows(path: string, options: Hdf5ArrowOptions): Promise<string[]> {
  const rows: string[] = []
  for await (const batch of hdf5TableToArrow(path, options)) {
    for (const row of batch)
      rows.push(JSON.stringify(row, (_, value) => (typeof value === 'bigint' ? `${value}` : value)))
  }
  return rows
}

async function failure(action: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await action()
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return { code: error.code, message: error.message }
  }
  throw new Error('expected a typed error')
}

describe('not HDF5', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('ra,dec\n1,2\n'.repeat(200))],
    ['FITS', new TextEncoder().encode(`SIMPLE  =                    T${' '.repeat(50)}`.padEnd(2880, ' '))],
    ['PNG', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(2000).fill(0))],
  ])('%s gives BAD_MAGIC', async (_, bytes) => {
    const path = file(bytes)
    expect((await failure(() => scanHdf5(path))).code).toBe('BAD_MAGIC')
    expect((await failure(() => readAll(path, { group: '/' }))).code).toBe('BAD_MAGIC')
  })

  it('finds the superblock after a 512-byte user block', async () => {
    const bytes = readFileSync(fixture('compound.h5'))
    const withUserBlock = new Uint8Array(512 + bytes.length)
    withUserBlock.set(bytes, 512)
    // Addresses in the file are relative to the superblock, so the shifted copy is a valid file.
    const scan = await scanHdf5(file(withUserBlock))
    expect(scan.superblock.offset).toBe(512)
    expect(scan.datasets.map((dataset) => dataset.path)).toEqual(['/counts', '/image', '/stars'])
  })
})

describe('truncated', () => {
  const size = readFileSync(fixture('gzip-shuffle.h5')).length
  it.each([9, 40, 1000, Math.floor(size / 2), size - 1])(
    'cut to %d bytes gives TRUNCATED',
    async (length) => {
      const path = file(new Uint8Array(readFileSync(fixture('gzip-shuffle.h5'))).subarray(0, length))
      const { code } = await failure(() => scanHdf5(path))
      expect(code).toBe('TRUNCATED')
    },
  )
})

describe('damaged structures', () => {
  it('an unknown superblock version gives UNSUPPORTED_VERSION', async () => {
    const path = damaged('compound.h5', (bytes) => {
      bytes[8] = 9
    })
    expect(await failure(() => scanHdf5(path))).toMatchObject({ code: 'UNSUPPORTED_VERSION' })
  })

  it('an impossible address size in the superblock gives CORRUPT_CHUNK', async () => {
    const path = damaged('compound.h5', (bytes) => {
      bytes[13] = 3 // version 0: size of offsets
    })
    expect(await failure(() => scanHdf5(path))).toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('a root group address pointing nowhere gives CORRUPT_CHUNK', async () => {
    // Version 0 superblock with 8-byte addresses: the root symbol table entry starts at byte 56 and holds
    // the root object header address at 64.
    const path = damaged('compound.h5', (bytes) => {
      new DataView(bytes.buffer).setBigUint64(64, 12_345n, true)
    })
    expect(await failure(() => scanHdf5(path))).toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('a damaged deflate chunk gives CORRUPT_CHUNK, not wrong values', async () => {
    const chunks = JSON.parse(readFileSync(fixture('gzip-shuffle-chunks.json'), 'utf8'))
    const [offset, length] = chunks['catalog/ra'][1] as [number, number]
    const path = damaged('gzip-shuffle.h5', (bytes) => {
      for (let i = offset + 2; i < offset + length; i += 7) bytes[i]! ^= 0xa5
    })
    const { code, message } = await failure(() => readAll(path, { group: '/catalog', columns: ['ra'] }))
    expect(code).toBe('CORRUPT_CHUNK')
    expect(message).toMatch(
      /^HDF5 case-\d+\.h5, \/catalog\/ra: the HDF5 library could not read rows 0 to 200/,
    )
  })

  it('bytes flipped anywhere give a typed error or a table, never a crash or a hang', async () => {
    const original = new Uint8Array(readFileSync(fixture('compound.h5')))
    const expected = (await readRows(fixture('compound.h5'), { dataset: '/stars' })).join('\n')
    const outcomes = new Map<string, number>()
    // Every 53rd byte: superblock, object headers, B-tree, heap, chunks and padding all get hit.
    for (let at = 0; at < original.length; at += 53) {
      const bytes = original.slice()
      bytes[at]! ^= 0xff
      const path = file(bytes)
      let outcome: string
      try {
        await scanHdf5(path)
        const rows = (await readRows(path, { dataset: '/stars' })).join('\n')
        outcome = rows === expected ? 'same values' : 'other values'
      } catch (error) {
        if (!isAstropackError(error)) throw new Error(`byte ${at}: untyped ${String(error)}`)
        outcome = error.code
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    // Files in the HDF5 1.8 format (superblock 0) have no checksums on their metadata: the one damage read
    // as other values is byte 1749, in a chunk B-tree key, which moves a chunk to other rows. Damage to the
    // deflated chunks is caught by zlib's Adler-32.
    expect(Object.fromEntries(outcomes)).toEqual({
      'same values': 175,
      'other values': 1,
      CORRUPT_CHUNK: 123,
      NOT_FOUND: 3,
      BAD_MAGIC: 1,
    })
  }, 60_000)
})

describe('filters h5wasm cannot decode', () => {
  it('refuses an LZF dataset (h5wasm would hand back garbage) and names the filter', async () => {
    const { code, message } = await failure(() => readAll(fixture('lzf.h5'), { dataset: '/id' }))
    expect(code).toBe('UNSUPPORTED_FEATURE')
    expect(message).toBe(
      'HDF5 lzf.h5, /id: stored with filter 32000 (lzf), which this reader cannot decode ' +
        '(it reads deflate, shuffle, fletcher32, szip, nbit, scaleoffset)',
    )
    expect((await failure(() => readAll(fixture('lzf.h5'), { group: '/' }))).code).toBe('UNSUPPORTED_FEATURE')
  })

  it('still scans the file, and reads its deflated dataset', async () => {
    const scan = await scanHdf5(fixture('lzf.h5'))
    expect(scan.datasets.find((dataset) => dataset.path === '/sweep')!.filters[0]).toMatchObject({
      id: 32000,
    })
    expect(await readAll(fixture('lzf.h5'), { dataset: '/dec' })).toBe(200)
  })
})
