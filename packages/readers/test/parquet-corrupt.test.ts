import { readFileSync } from 'node:fs'
import { isAstropackError } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
// Built: the Parquet reader runs parquet-wasm in a worker thread, which loads compiled JavaScript.
import { bytesSource, readParquetBatches } from '../dist/index.js'

const BYTES = new Uint8Array(
  readFileSync(new URL('./fixtures/same-catalog/tycho2-07-first20000.parquet', import.meta.url)),
)

/** Reads every batch; returns the row count, or the typed error's code and message. */
async function outcome(bytes: Uint8Array): Promise<{ rows: number } | { code: string; message: string }> {
  try {
    let rows = 0
    for await (const batch of readParquetBatches(bytesSource(bytes))) rows += batch.numRows
    return { rows }
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return { code: error.code, message: error.message }
  }
}

function damaged(change: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = BYTES.slice()
  change(bytes, new DataView(bytes.buffer))
  return bytes
}

const FOOTER_LENGTH_AT = BYTES.length - 8

describe('not Parquet', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['CSV', new TextEncoder().encode('ra,dec\n1,2\n')],
    ['bad leading magic', damaged((bytes) => (bytes[0] = 0x51))],
  ])('%s gives BAD_MAGIC', async (_, bytes) => {
    expect(await outcome(bytes)).toMatchObject({ code: 'BAD_MAGIC' })
  })
})

describe('damaged tails', () => {
  it.each([5, 11, 1000, BYTES.length - 100, BYTES.length - 1])(
    'cut to %d bytes gives TRUNCATED',
    async (length) => {
      expect(await outcome(BYTES.subarray(0, length))).toMatchObject({ code: 'TRUNCATED' })
    },
  )

  it('a footer length beyond the file gives CORRUPT_INDEX', async () => {
    const bytes = damaged((bytes) => (bytes[FOOTER_LENGTH_AT + 2]! ^= 0xff))
    expect(await outcome(bytes)).toEqual({
      code: 'CORRUPT_INDEX',
      message: `Parquet byte ${FOOTER_LENGTH_AT}: footer length 16712450 does not fit the 360748 bytes between the magics`,
    })
  })

  it.each([-7, 7, 1])('a footer length off by %d gives CORRUPT_INDEX', async (delta) => {
    const bytes = damaged((_, view) =>
      view.setUint32(FOOTER_LENGTH_AT, view.getUint32(FOOTER_LENGTH_AT, true) + delta, true),
    )
    expect(await outcome(bytes)).toMatchObject({ code: 'CORRUPT_INDEX' })
  })

  it('damaged footer metadata gives CORRUPT_INDEX', async () => {
    const bytes = damaged((bytes) => {
      for (let i = BYTES.length - 300; i < BYTES.length - 250; i++) bytes[i]! ^= 0x5a
    })
    expect(await outcome(bytes)).toMatchObject({ code: 'CORRUPT_INDEX' })
  })
})

describe('damaged data pages', () => {
  it('a damaged page header gives CORRUPT_CHUNK (parquet-wasm panics on it, in its worker)', async () => {
    // The first column chunk starts right after the leading magic, with its page header.
    const bytes = damaged((bytes) => {
      for (let i = 4; i < 24; i++) bytes[i]! ^= 0xa5
    })
    expect(await outcome(bytes)).toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('bytes flipped anywhere give all rows or a typed error, never a crash', async () => {
    const seen = new Set<string>()
    for (let at = 0; at < BYTES.length; at += 2999) {
      const result = await outcome(damaged((bytes) => (bytes[at]! ^= 0xff)))
      seen.add('rows' in result ? `rows ${result.rows}` : result.code)
    }
    expect(seen).toContain('rows 20000')
    expect(
      [...seen].every((kind) => ['rows 20000', 'CORRUPT_CHUNK', 'CORRUPT_INDEX', 'BAD_MAGIC'].includes(kind)),
    ).toBe(true)
  }, 60_000)
})
