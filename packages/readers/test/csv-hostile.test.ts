import { type AstropackError, isAstropackError } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ByteSource, bytesSource, readCsvBatches, readCsvTable } from '../src/index.js'
import { source } from './helpers/csv.js'

async function failure(input: string | Uint8Array | ByteSource, options = {}): Promise<AstropackError> {
  const from = typeof input === 'string' || input instanceof Uint8Array ? source(input) : input
  try {
    await readCsvTable(from, options)
  } catch (error) {
    if (isAstropackError(error)) return error
    throw error
  }
  throw new Error('read did not fail')
}

/** `prefix` then `fill` bytes up to `size`, made on demand (nothing that large is held), recording how far it was read. */
function virtualSource(size: number, prefix: string, fill: string): ByteSource & { furthest: number } {
  const head = new TextEncoder().encode(prefix)
  const out = {
    byteLength: size,
    furthest: 0,
    async slice(start: number, end: number) {
      out.furthest = Math.max(out.furthest, end)
      const bytes = new Uint8Array(end - start).fill(fill.charCodeAt(0))
      if (start < head.length) bytes.set(head.subarray(start, end))
      return bytes
    },
  }
  return out
}

describe('csv: malformed input fails with typed errors', () => {
  it('a quote never closed, or followed by text', async () => {
    const open = await failure('a,b\n1,"abc\n2,3\n')
    expect(open).toMatchObject({ code: 'UNTERMINATED_QUOTE', offset: 6 })
    expect(open.message).toBe('CSV row 1, byte 6: quote never closed')
    const after = await failure('a,b\n"x"y,2\n')
    expect(after).toMatchObject({ code: 'UNTERMINATED_QUOTE', offset: 7 })
    expect(after.message).toMatch(/opened at byte 4 is followed by 'y,2\\x0a'/)
    expect(await failure('"a')).toMatchObject({ code: 'UNTERMINATED_QUOTE', offset: 0 })
  })

  it('ragged rows, short or long, naming the row and its byte', async () => {
    const short = await failure('a,b,c\n1,2,3\n4,5\n6,7,8\n')
    expect(short).toMatchObject({ code: 'CSV_RAGGED', offset: 12 })
    expect(short.message).toBe('CSV row 2, byte 12: 2 fields where the first row has 3')
    const long = await failure('a,b\r\n1,2\r\n3,4\r\n5,6,7,8\r\n')
    expect(long).toMatchObject({ code: 'CSV_RAGGED', offset: 15 })
    expect(long.message).toMatch(
      /^CSV row 3, byte 15: more than the 2 fields of the first row \(field 3 at byte 19\)/,
    )
  })

  it('NUL bytes, UTF-16 and invalid UTF-8', async () => {
    const nul = await failure('a,b\n1,x\u0000y\n')
    expect(nul).toMatchObject({ code: 'CORRUPT_CHUNK', offset: 7 })
    expect(nul.message).toMatch(/column 'b': a NUL byte/)
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...[...'a,b\n1,2\n'].flatMap((char) => [char.charCodeAt(0), 0]),
    ])
    expect(await failure(utf16)).toMatchObject({ code: 'CORRUPT_CHUNK' })
    const latin1 = Uint8Array.from([...'name\nG\xf6ttingen\n'].map((char) => char.charCodeAt(0)))
    expect(await failure(latin1)).toMatchObject({ code: 'CORRUPT_CHUNK', offset: 6 })
    // The header too, and text the sampled scan did not see.
    expect(await failure(Uint8Array.from([0x61, 0xc3, 0x0a, 0x31]))).toMatchObject({ code: 'CORRUPT_CHUNK' })
    const late = async () => {
      for await (const _ of readCsvBatches(source(`s\n${'x\n'.repeat(5)}a\u0000\n`), { inferRows: 2 }));
    }
    await expect(late()).rejects.toMatchObject({ code: 'CORRUPT_CHUNK', offset: 13 })
  })

  it('a 100 MB quoted field stops at maxRecordBytes, reading little more than that', async () => {
    const size = 100_000_000
    const huge = virtualSource(size, 'a\n"', 'x')
    const error = await failure(huge, { maxRecordBytes: 8 << 20, sliceBytes: 1 << 20 })
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', offset: 2 })
    expect(huge.furthest).toBeLessThan(10 << 20)
    // The default limit, 64 MiB, on a 100 MB unquoted field.
    const plain = virtualSource(size, 'a\n', '1')
    expect(await failure(plain)).toMatchObject({ code: 'LIMIT_EXCEEDED', offset: 2 })
    expect(plain.furthest).toBeLessThan(72 << 20)
  }, 60_000)

  it('a long quoted field across many slices costs linear time', async () => {
    const field = 'x'.repeat(4 << 20)
    const started = performance.now()
    const { numRows } = await readCsvTable(source(`a\n"${field}"\n`), { sliceBytes: 4096 })
    expect(numRows).toBe(1)
    expect(performance.now() - started).toBeLessThan(5000) // quadratic re-reading would take minutes
  })

  it('too many columns, an endless comment line, a source that gives short reads', async () => {
    expect(await failure(`${','.repeat(200_000)}\n`)).toMatchObject({ code: 'LIMIT_EXCEEDED' })
    expect(await failure(`#${'c'.repeat(5000)}\na\n1\n`, { maxRecordBytes: 1000 })).toMatchObject({
      code: 'LIMIT_EXCEEDED',
    })
    const short: ByteSource = { byteLength: 100, slice: async () => new Uint8Array(3) }
    expect(await failure(short)).toMatchObject({ code: 'TRUNCATED' })
  })

  it('random bytes and damaged CSV fail only with typed errors', async () => {
    const good = new TextEncoder().encode('ra,dec,name\n1.5,-2,"a,b"\n3,4e-5,"say ""x"""\n')
    const damaged = fc.array(
      fc.record({ at: fc.nat({ max: good.length - 1 }), byte: fc.nat({ max: 255 }) }),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      damaged.map((edits) => {
        const bytes = Uint8Array.from(good)
        for (const { at, byte } of edits) bytes[at] = byte
        return bytes
      }),
      fc.nat({ max: good.length }).map((length) => good.subarray(0, length)),
    )
    await fc.assert(
      fc.asyncProperty(inputs, fc.integer({ min: 1, max: 64 }), async (bytes, sliceBytes) => {
        try {
          for await (const batch of readCsvBatches(bytesSource(bytes), { sliceBytes, batchRows: 2 })) {
            expect(batch.numRows).toBeGreaterThan(0)
          }
        } catch (error) {
          if (!isAstropackError(error)) throw error
        }
      }),
      { numRuns: 1500 },
    )
  })
})

describe('csv: the text check', () => {
  it('finds invalid UTF-8 exactly where TextDecoder refuses it', async () => {
    const { findBadText } = await import('../src/csv/classify.js')
    const decoder = new TextDecoder('utf-8', { fatal: true })
    const valid = (bytes: Uint8Array) => {
      try {
        decoder.decode(bytes)
        return !bytes.includes(0)
      } catch {
        return false
      }
    }
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }).map((text) => new TextEncoder().encode(text)),
      fc
        .array(
          fc.constantFrom(
            0x00,
            0x41,
            0x80,
            0x8f,
            0x9f,
            0xa0,
            0xbf,
            0xc0,
            0xc2,
            0xe0,
            0xed,
            0xef,
            0xf0,
            0xf4,
            0xf5,
            0xff,
          ),
          {
            maxLength: 8,
          },
        )
        .map((list) => Uint8Array.from(list)),
    )
    fc.assert(
      fc.property(bytes, (input) => {
        const bad = findBadText(input, 0, input.length)
        expect(bad === -1).toBe(valid(input))
        // Everything before the reported byte is valid text.
        if (bad !== -1) expect(valid(input.subarray(0, bad))).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })
})
