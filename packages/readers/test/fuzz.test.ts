import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isAstropackError } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesSource, fitsTableToArrow, readImage, scanFits } from '../src/index.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const original = readFileSync(join(fixtures, 'astropy-types.fits'))

/** Scans and decodes everything; any failure must be a typed AstropackError. */
async function readEverything(bytes: Uint8Array): Promise<void> {
  const source = bytesSource(bytes)
  try {
    const scan = await scanFits(source)
    for (const hdu of scan.hdus) {
      if (hdu.truncated) continue
      if (hdu.type === 'BINTABLE' || hdu.type === 'TABLE') {
        for await (const batch of fitsTableToArrow(source, hdu, { batchRows: 2 }))
          expect(batch.numRows).toBeGreaterThan(0)
      } else if (hdu.type === 'primary' || hdu.type === 'IMAGE') {
        await readImage(source, hdu, { scale: true })
      }
    }
  } catch (error) {
    if (!isAstropackError(error)) throw error
  }
}

describe('property: damaged files fail only with typed errors', () => {
  it('bytes changed anywhere', async () => {
    const edit = fc.record({
      at: fc.nat({ max: original.length - 1 }),
      byte: fc.integer({ min: 0, max: 255 }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
        const bytes = Uint8Array.from(original)
        for (const { at, byte } of edits) bytes[at] = byte
        await readEverything(bytes)
      }),
      { numRuns: 300 },
    )
  })

  it('header digits changed (sizes, counts, descriptors)', async () => {
    // Positions of digits in value fields of the headers, where a change alters a size or count.
    const digits: number[] = []
    for (let card = 0; card + 80 <= original.length; card += 80) {
      const text = original.subarray(card, card + 80).toString('latin1')
      if (!/^[A-Z0-9_-]{1,8} *= /.test(text)) continue
      for (let i = 10; i < 30; i++) if (/\d/.test(text[i]!)) digits.push(card + i)
    }
    const edit = fc.record({ at: fc.constantFrom(...digits), char: fc.constantFrom(...'0123456789-+ .E') })
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        const bytes = Uint8Array.from(original)
        for (const { at, char } of edits) bytes[at] = char.charCodeAt(0)
        await readEverything(bytes)
      }),
      { numRuns: 300 },
    )
  })

  it('files cut at any length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length }), async (length) => {
        await readEverything(original.subarray(0, length))
      }),
      { numRuns: 200 },
    )
  })
})
