import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { integerValue, writeInteger } from '../src/text-table/integers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Int64 values of every length, the limits, and the edges of 2^32, 2^53 and of multiples of 10^9. */
const int64 = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }),
  fc
    .integer({ min: 1, max: 19 })
    .chain((digits) =>
      fc
        .bigInt({ min: 10n ** BigInt(digits - 1), max: 10n ** BigInt(digits) - 1n })
        .map((k) => (k > INT64_MAX ? INT64_MAX : k)),
    ),
  fc
    .tuple(
      fc.constantFrom(
        2n ** 32n,
        2n ** 53n,
        10n ** 9n,
        10n ** 18n,
        2n ** 63n,
        65536n * 10n ** 9n,
        9007199n * 10n ** 9n,
      ),
      fc.integer({ min: -3, max: 3 }),
      fc.boolean(),
    )
    .map(([base, offset, negative]) => (negative ? -base : base) + BigInt(offset))
    .filter((k) => k >= INT64_MIN && k <= INT64_MAX),
)

const NO_AFFIX = new Uint8Array(0)

/** integerValue's words for a text, through its public contract (the oracle below is BigInt's). */
function wordsOf(text: string): [number, number] | undefined {
  const words = new Float64Array(2)
  const bytes = latin1(text)
  return integerValue(bytes, 0, bytes.byteLength, NO_AFFIX, NO_AFFIX, words)
    ? [words[0]!, words[1]!]
    : undefined
}

describe('64-bit integer fields', () => {
  it('read as the 32-bit words BigInt gives (low unsigned, high signed), written back as String()', () => {
    const out = new Uint8Array(24)
    fc.assert(
      fc.property(int64, (k) => {
        const words = wordsOf(String(k))
        expect(words).toEqual([Number(BigInt.asUintN(32, k)), Number(k >> 32n)])
        const end = writeInteger(out, 0, words![0], words![1])
        expect(String.fromCharCode(...out.subarray(0, end))).toBe(String(k))
      }),
      { numRuns: 20000 },
    )
  })

  it('refuse text that would not come back the same, and values past the int64 range', () => {
    for (const text of ['-0', '007', '+5', '', '-', '1.0', '1e3', ' 1', '92233720368547758070']) {
      expect(wordsOf(text), text).toBeUndefined()
    }
    expect(wordsOf(String(INT64_MAX + 1n))).toBeUndefined()
    expect(wordsOf(String(INT64_MIN - 1n))).toBeUndefined()
    expect(wordsOf('99999999999999999999')).toBeUndefined()
    expect(wordsOf(String(INT64_MIN))).toEqual([0, -(2 ** 31)])
  })
})
