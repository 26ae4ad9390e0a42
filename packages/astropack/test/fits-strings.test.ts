import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitsStringLength, writeFitsString } from '../src/export/fits-columns.js'

/** A FITS field's bytes for a string, as FITS export writes them (UTF-8 bytes [start, end) of `utf8`). */
function field(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(`ab${text}`) // at an offset, as in a column's shared buffer
  const length = fitsStringLength(utf8, 2, utf8.byteLength)
  const out = new Uint8Array(length)
  writeFitsString(utf8, 2, utf8.byteLength, length, out, 0)
  return out
}

describe('FITS character fields', () => {
  it('are the bytes the FITS reader reads as the string when every character is below U+0100', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xff }), { maxLength: 40 }), (bytes) => {
        const text = String.fromCharCode(...bytes) // the reader's string of these bytes
        expect([...field(text)]).toEqual(bytes)
      }),
      { numRuns: 2000 },
    )
  })

  it('are the UTF-8 bytes of a string with any character from U+0100 up', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ maxLength: 5 }), (a, b) => {
        const text = `${a}\u20ac${b}` // the euro sign is past U+00FF
        expect(Buffer.from(field(text)).toString('utf8')).toBe(text)
      }),
      { numRuns: 1000 },
    )
  })
})
