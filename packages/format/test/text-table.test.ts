import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinTextGroup, splitTextGroup } from '../src/index.js'
import {
  float64Value,
  scaledValue,
  writeDecimal,
  writeFixed,
  writeLatin1,
  writeShortFloat64,
} from '../src/text-table/numbers.js'
import { NumberStyle, pythonRepr } from '../src/text-table/styles.js'
import { TextChunkFlag, TextColumnKind, textChunkFeatures } from '../src/text-table.js'
import { sameBytes, sampleFiles } from './helpers.js'
import * as legacy from './legacy-text-table.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (bytes: Uint8Array) => String.fromCharCode(...bytes)

/** Fields as archives write them, including the awkward ones: -0, exponents, leading dots, trailing zeros, nulls. */
const field = fc.oneof(
  fc.double({ noNaN: true }).map(String),
  // As Python writes them: 2.0, 1e-05, 1e+16, -0.0.
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => pythonRepr(v)!),
  fc.integer({ min: -99999, max: 99999 }).map((v) => pythonRepr(v / 100)!),
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map((v) => v.toFixed(3)),
  fc.integer().map(String),
  fc.integer({ min: -99999, max: 99999 }).map((v) => (v / 100).toString()),
  fc.constantFrom(
    '',
    'null',
    'NaN',
    '-0',
    '-0.0',
    '0.10',
    '.5',
    '1e-7',
    '1E5',
    '00012',
    '+3',
    ' 7',
    'inf',
    'Ceres (A801 AA)',
  ),
  fc.stringMatching(/^[A-Za-z0-9 ._\u00e9-]{0,12}$/),
  // Integers past 2^53, at the int64 limits and beyond them, bare or with the text around IDs.
  fc
    .tuple(
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
      fc.constantFrom('', '"Gaia DR3 ', 'HIP ', 'x'),
      fc.constantFrom('', '"', 'a'),
    )
    .map(([k, prefix, suffix]) => `${prefix}${k}${suffix}`),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '0', '0042'),
  // Quoted fields: delimiters and doubled quotes inside, and quotes that do not open a field.
  fc.stringMatching(/^[A-Za-z0-9 ,\t.]{0,10}$/).map((inner) => `"${inner}"`),
  fc.constantFrom('"a""b"', '""', '"1.5"', '"x,y"', '"\t"', 'x"y', '"', '"a"b', '"a"""'),
  // Numbers with a random count of decimals, and the near misses of each kind.
  fc
    .tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 9 }))
    .chain(([k, s]) =>
      fc.constantFrom(
        (k / 10 ** s).toFixed(s),
        String(k / 10 ** s),
        `${(k / 10 ** s).toFixed(s)}0`,
        String(k % 1000),
      ),
    ),
  fc.constantFrom(
    '1e-07',
    '1e-7',
    '1.5e-7',
    '0.0000001',
    '0.000001',
    '007',
    '+5',
    '5.',
    '-.5',
    '1e21',
    '1e+21',
  ),
  fc.constantFrom('2147483647', '-2147483648', '2147483648', '-2147483649', '0.000000001', '-2.147483648'),
)

const table = fc.integer({ min: 1, max: 6 }).chain((columns) =>
  fc.tuple(
    fc.constant(columns),
    fc.array(fc.array(field, { minLength: columns, maxLength: columns }), { minLength: 1, maxLength: 60 }),
    // Comma, tab, and the bar and single space of astropy's ASCII tables.
    fc.constantFrom(44, 9, 124, 32),
  ),
)

describe('text tables stored as typed columns', () => {
  it('rebuild every line byte for byte', () => {
    fc.assert(
      fc.property(table, ([columns, rows, delimiter]) => {
        for (const newline of ['\n', '\r\n']) {
          const text = `${rows.map((row) => row.join(String.fromCharCode(delimiter))).join(newline)}${newline}`
          const group = latin1(text)
          const parts = splitTextGroup(group, delimiter, columns)
          expect(parts).toHaveLength(columns)
          expect(sameBytes(joinTextGroup(parts, delimiter), group)).toBe(true)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('stores lines ending in CR LF as typed columns too, with the CR LF flag', () => {
    const parts = splitTextGroup(latin1('1,2.5\r\n3,\r\n4,0.25\r\n5,7.125\r\n6,1.5\r\n7,2.75\r\n'), 44, 2)
    expect(parts.map((part) => [part[0], part[2]])).toEqual([
      [TextColumnKind.fixed, TextChunkFlag.crlf],
      [TextColumnKind.decimal, TextChunkFlag.crlf],
    ])
    expect(text(joinTextGroup(parts, 44))).toBe('1,2.5\r\n3,\r\n4,0.25\r\n5,7.125\r\n6,1.5\r\n7,2.75\r\n')
    // Chunks of one group that disagree on the flag are refused, never half-applied.
    const mixed = [parts[0]!, parts[1]!.slice()]
    mixed[1]![2] = 0
    expect(() => joinTextGroup(mixed, 44)).toThrow(/differ in their line ends/)
  })

  it('finds every field when the lines run much shorter than the first, or one has thousands too many', () => {
    const short = `${'9'.repeat(60)},${'x'.repeat(60)}\n${'1,2\n'.repeat(5000)}`
    const parts = splitTextGroup(latin1(short), 44, 2)
    expect(parts.map((part) => part[0])).toEqual([TextColumnKind.fixed, TextColumnKind.fixed])
    expect(text(joinTextGroup(parts, 44))).toBe(short)
    const ragged = `1,2\n${','.repeat(20000)}\n3,4\n`
    expect(splitTextGroup(latin1(ragged), 44, 2)[0]![0]).toBe(TextColumnKind.raw)
  })

  it('stores IDs as 64-bit integers, with the text around them, past 2^53 exactly', () => {
    const ids = Array.from({ length: 500 }, (_, i) => 5934830981375482112n + BigInt(i) * 999_999_937n)
    const lines = ids.map((id, i) => `"Gaia DR3 ${id}",${id},HIP ${i},${-id}\n`)
    lines.push('"Gaia DR3 007",-0,HIP x,9223372036854775808\n') // none of these is canonical: exceptions
    const csv = lines.join('')
    const parts = splitTextGroup(latin1(csv), 44, 4)
    expect(parts.map((part) => part[0])).toEqual(Array(4).fill(TextColumnKind.integer))
    const view = new DataView(parts[1]!.buffer, parts[1]!.byteOffset)
    expect(view.getBigInt64(8 + 499 * 8, true)).toBe(ids[499])
    expect(text(joinTextGroup(parts, 44))).toBe(csv)
  })

  it('splits quoted fields at the delimiters outside their quotes', () => {
    const csv = '"Gaia DR3 1",1.5,"HD 1, A"\n"say ""hi"", twice",2.5,\n"",3.5,x"y\n'
    const parts = splitTextGroup(latin1(csv), 44, 3)
    expect(parts.map((part) => part[0])).toEqual([
      TextColumnKind.text,
      TextColumnKind.fixed,
      TextColumnKind.text,
    ])
    expect(text(parts[0]!.subarray(8))).toBe('"Gaia DR3 1"\n"say ""hi"", twice"\n""')
    expect(text(parts[2]!.subarray(8))).toBe('"HD 1, A"\n\nx"y')
    expect(text(joinTextGroup(parts, 44))).toBe(csv)
  })

  it('keeps a group whose lines differ in field count, quotes hold a line break, or a CR not before every newline, as it is', () => {
    for (const text of [
      'a,b\nc\n',
      '"x\ny",2\n3,4\n',
      '"x"y,2\n3,4\n',
      '"x,2\n3,4\n',
      '1,2\n3,4\r\n',
      '1,2\r\n3\r,4\r\n',
      '1,2\r\n3,4\n',
    ]) {
      const parts = splitTextGroup(latin1(text), 44, 2)
      expect(parts[0]![0]).toBe(0)
      expect(sameBytes(joinTextGroup(parts, 44), latin1(text))).toBe(true)
    }
  })

  it('stores the numeric columns of a real catalog as binary values', async () => {
    const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
    const text = new TextDecoder('latin1').decode(csv!.bytes)
    const body = latin1(text.slice(text.indexOf('\n') + 1))
    const parts = splitTextGroup(body, 44, 20)
    expect(sameBytes(joinTextGroup(parts, 44), body)).toBe(true)
    const kinds = parts.map((part) => part[0])
    expect(kinds.filter((kind) => kind !== 1).length).toBeGreaterThan(8) // most columns are numbers
  })
})

describe('damaged text-table chunks', () => {
  it('give typed errors, never a crash or a huge allocation', () => {
    const group = latin1(`${'1.5,abc,42\n'.repeat(500)}`)
    const parts = splitTextGroup(group, 44, 3)
    const hostile = parts[1]!.slice()
    new DataView(hostile.buffer).setUint32(4, 0xffffffff, true) // a text column claiming 4 billion fields
    expect(() => joinTextGroup([parts[0]!, hostile, parts[2]!], 44)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_CHUNK' }),
    )
    for (const [i, part] of parts.entries()) {
      for (let at = 0; at < Math.min(part.byteLength, 64); at++) {
        const bad = part.slice()
        bad[at]! ^= 0xff
        const damaged = parts.map((p, j) => (j === i ? bad : p))
        try {
          joinTextGroup(damaged, 44)
        } catch (error) {
          expect(error).toMatchObject({ code: 'CORRUPT_CHUNK' })
        }
      }
    }
  })
})

const int32 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -2000, max: 2000 }),
  fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1, 2 ** 31 - 2, 999, 1000, -1000, 100000),
)
const scales = fc.integer({ min: 0, max: 9 })

/** A number text as bytes, through one of the byte formatters. */
function formatted(write: (out: Uint8Array, at: number) => number): string {
  const out = new Uint8Array(40)
  return text(out.subarray(0, write(out, 0)))
}

/** The previous implementation's rule for fixed and decimal fields (Number, then format and compare). */
function stringValue(field: string, fixed: boolean, scale: number): number {
  const value = Number(field)
  if (field.length === 0 || field.length > 32 || !Number.isFinite(value)) return Number.NaN
  const k = Math.round(value * 10 ** scale)
  if (!Number.isSafeInteger(k) || k < -(2 ** 31) || k >= 2 ** 31) return Number.NaN
  const number = k / 10 ** scale
  return (fixed ? number.toFixed(scale) : String(number)) === field ? k : Number.NaN
}

/** SPEC §7.2's rule for float64 fields, on strings. */
function stringFloat64(field: string): number {
  const value = Number(field)
  const kept = field.length > 0 && field.length <= 32 && Number.isFinite(value) && String(value) === field
  return kept ? value : Number.NaN
}

describe('numbers formatted and parsed as bytes', () => {
  it('format fixed and decimal values exactly as toFixed and ToString do', () => {
    fc.assert(
      fc.property(int32, scales, (k, s) => {
        const fixed = (k / 10 ** s).toFixed(s)
        const decimal = String(k / 10 ** s)
        expect(formatted((out, at) => writeFixed(out, at, k, s))).toBe(fixed)
        expect(formatted((out, at) => writeDecimal(out, at, k, s))).toBe(decimal)
        // The join sizes a row by these bounds before writing it.
        expect(fixed.length).toBeLessThanOrEqual(12)
        expect(decimal.length).toBeLessThanOrEqual(12)
        expect(scaledValue(latin1(fixed), 0, fixed.length, true, s)).toBe(k)
        expect(scaledValue(latin1(decimal), 0, decimal.length, false, s)).toBe(k)
      }),
      { numRuns: 20000 },
    )
  })

  it('switch to exponent notation exactly where ToString does (below 1e-6)', () => {
    for (let s = 0; s <= 9; s++) {
      const edge = 10 ** Math.max(s - 6, 0)
      for (let k = -edge - 30; k <= edge + 30; k++) {
        const decimal = String(k / 10 ** s)
        expect(formatted((out, at) => writeDecimal(out, at, k, s))).toBe(decimal)
        expect(scaledValue(latin1(decimal), 0, decimal.length, false, s)).toBe(k)
      }
    }
  })

  it('store a fixed or decimal field exactly when the string-based rule did', () => {
    const fields = fc.oneof(
      field,
      fc.tuple(int32, scales).map(([k, s]) => String(k / 10 ** s)),
      fc.tuple(int32, scales).map(([k, s]) => `${k < 0 ? '-' : ''}${Math.abs(k) / 10 ** s}e-${s}`),
    )
    fc.assert(
      fc.property(fields, scales, fc.boolean(), (f, s, fixed) => {
        expect(scaledValue(latin1(f), 0, f.length, fixed, s)).toBe(stringValue(f, fixed, s))
      }),
      { numRuns: 20000 },
    )
  })

  it('read float64 fields exactly as String(Number(field)) === field decides', () => {
    const doubles = fc.oneof(
      fc.double(),
      fc.double({ min: -1e6, max: 1e6 }),
      fc
        .tuple(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: -30, max: 25 }))
        .map(([m, e]) => Number(`${m}e${e}`)),
    )
    const fields = fc.oneof(
      doubles.map(String),
      doubles.map((v) => v.toPrecision(17)),
      doubles.map((v) => v.toFixed(6)),
      doubles.map((v) => `${String(v)}0`),
      doubles.map((v) => String(v).replace('e+', 'e')),
      fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,18})?(e[+-]?[0-9]{1,3})?$/),
      field,
    )
    fc.assert(
      fc.property(fields, (f) => {
        expect(Object.is(float64Value(latin1(f), 0, f.length), stringFloat64(f))).toBe(true)
      }),
      { numRuns: 30000 },
    )
  })

  it('write values of 15 digits just below a power of ten the short way (log10 rounds up there)', () => {
    for (const v of [999999999999998, 99999.9999999999, 0.999999999999999, 9.99999999999999e-6]) {
      const out = new Uint8Array(40)
      const end = writeShortFloat64(out, 0, v)
      expect(end, String(v)).not.toBe(-1)
      expect(text(out.subarray(0, end))).toBe(String(v))
    }
  })

  it('write float64 values without String() only when that gives the same text', () => {
    const doubles = fc.oneof(
      fc.double(),
      fc
        .tuple(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: -30, max: 25 }))
        .map(([m, e]) => Number(`${m}e${e}`)),
      fc
        .tuple(fc.integer({ min: 1, max: 999999 }), fc.constantFrom(1e-6, 1e15, 1, 0.1))
        .map(([n, edge]) => edge * (1 + (n - 500000) * 2 ** -52)),
    )
    fc.assert(
      fc.property(doubles, (v) => {
        const out = new Uint8Array(40)
        const end = writeShortFloat64(out, 0, v)
        const expected = String(v)
        if (end !== -1) expect(text(out.subarray(0, end))).toBe(expected)
        // The short way covers every value of at most 15 significant digits in its range.
        const short = Math.abs(v) >= 1e-6 && Math.abs(v) < 1e15 && Number(v.toPrecision(15)) === v
        if (short || v === 0) expect(end).not.toBe(-1)
        expect(formatted((o, at) => writeLatin1(o, at, expected))).toBe(expected)
      }),
      { numRuns: 30000 },
    )
  })
})

describe("Python's number style", () => {
  it("writes every double as Python's repr() does (10016 values from Python 3.11)", () => {
    const lines = readFileSync(new URL('./fixtures/python-repr.txt', import.meta.url), 'latin1')
      .trim()
      .split('\n')
    let checked = 0
    for (const line of lines) {
      const [hex, expected] = line.split(' ')
      const value = Buffer.from(hex!, 'hex').readDoubleBE(0)
      if (!Number.isFinite(value)) continue // nan and inf are never values
      expect(pythonRepr(value), hex).toBe(expected)
      checked++
    }
    expect(checked).toBe(10016)
  })

  it('stores columns written by Python as values, and rebuilds them byte for byte', () => {
    const rows = Array.from({ length: 400 }, (_, i) => {
      const mag = i % 5 === 0 ? `${(i % 20) + 1}.0` : (i / 40 + 10).toString() // 12.0 beside 12.125
      const error = String(pythonRepr(i * 1.5e-7)) // 1.5e-07, 0.0001275, ...
      const sign = i % 9 === 0 ? '-0.0' : String(pythonRepr((i % 50) / 100))
      return `${mag},${error},${sign},2016.0\n`
    })
    const group = latin1(rows.join(''))
    const parts = splitTextGroup(group, 44, 4)
    expect(parts.map((part) => [part[0], part[3]])).toEqual([
      [TextColumnKind.decimal, NumberStyle.python],
      [TextColumnKind.float64, NumberStyle.python],
      [TextColumnKind.decimal, NumberStyle.python],
      [TextColumnKind.fixed, NumberStyle.ecmascript],
    ])
    expect(sameBytes(joinTextGroup(parts, 44), group)).toBe(true)
    // A style this reader does not know, or a style on a kind that has none, is refused.
    for (const [c, style] of [
      [0, 4],
      [3, 1],
    ] as const) {
      const bad = parts.map((part) => part.slice())
      bad[c]![3] = style
      expect(() => joinTextGroup(bad, 44)).toThrow(expect.objectContaining({ code: 'CORRUPT_CHUNK' }))
    }
  })
})

describe('compatibility with the previous string-based implementation', () => {
  const both = (group: Uint8Array, delimiter: number, columns: number) => {
    expect(sameBytes(joinTextGroup(legacy.splitTextGroup(group, delimiter, columns), delimiter), group)).toBe(
      true,
    )
    // The previous reader knows kinds 0-4 in ECMAScript's style only: what needs feature 4 (kinds 5 to 7,
    // Python's style, padding) came after it.
    const parts = splitTextGroup(group, delimiter, columns)
    if (parts.some((part) => textChunkFeatures(part) !== 0)) return
    expect(sameBytes(legacy.joinTextGroup(parts, delimiter), group)).toBe(true)
  }

  it('decodes what it wrote, and writes what it decodes, for random tables', () => {
    fc.assert(
      fc.property(table, ([columns, rows, delimiter]) => {
        both(
          latin1(`${rows.map((row) => row.join(String.fromCharCode(delimiter))).join('\n')}\n`),
          delimiter,
          columns,
        )
      }),
      { numRuns: 1000 },
    )
  })

  it('on the real sample tables (CSV, as TSV, and a text file as one column)', async () => {
    const [csv, readme] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv', 'docs/cds-ReadMe.txt'])
    const body = csv!.bytes.subarray(csv!.bytes.indexOf(10) + 1)
    both(body, 44, 20)
    both(
      body.map((byte) => (byte === 44 ? 9 : byte)),
      9,
      20,
    )
    // Groups cut at line ends, as the packer does (smaller here, so there are several).
    for (let at = 0, end = 0; at < body.byteLength; at = end) {
      end = body.lastIndexOf(10, Math.min(at + 200_000, body.byteLength - 1)) + 1
      both(body.subarray(at, end), 44, 20)
    }
    const lines = readme!.bytes.subarray(0, readme!.bytes.lastIndexOf(10) + 1)
    both(lines, 9, 1)
  })
})

describe('joining into a caller buffer', () => {
  it('has room for the longest text of a double (25 bytes: -0.0000012345678901234567) in every row', () => {
    const longest: string[] = []
    for (let i = 0; longest.length < 9000; i++) {
      const field = String(-(1.0000000000000002e-6 + i * 1.2345678901234567e-12))
      if (field.length === 25) longest.push(field)
    }
    for (const columns of [1, 2, 4]) {
      const lines = Array.from({ length: 2000 }, (_, r) =>
        longest.slice(r * columns, (r + 1) * columns).join(','),
      )
      const group = latin1(`${lines.join('\n')}\n`)
      const parts = splitTextGroup(group, 44, columns)
      expect(parts[0]![0], String(columns)).toBe(TextColumnKind.float64)
      expect(sameBytes(joinTextGroup(parts, 44), group), String(columns)).toBe(true)
      const room = new Uint8Array(group.byteLength)
      expect(sameBytes(joinTextGroup(parts, 44, room), group), String(columns)).toBe(true)
    }
  })

  it('writes into it when the group fits, else returns new bytes', () => {
    const group = latin1('1.25,abc,42,0.5e-7\n-3.5,,7,1e-7\n'.repeat(50))
    const parts = splitTextGroup(group, 44, 4)
    const room = new Uint8Array(group.byteLength + 10)
    const inRoom = joinTextGroup(parts, 44, room)
    expect(inRoom.buffer).toBe(room.buffer)
    expect(sameBytes(inRoom, group)).toBe(true)
    const small = new Uint8Array(group.byteLength - 1)
    const elsewhere = joinTextGroup(parts, 44, small)
    expect(elsewhere.buffer).not.toBe(small.buffer)
    expect(sameBytes(elsewhere, group)).toBe(true)
  })
})

describe('damaged numeric columns', () => {
  const group = latin1(
    Array.from(
      { length: 300 },
      (_, i) => `${(i * 0.37).toFixed(2)},${i / 7},${i % 10 ? i * 1.5 : ''},x${i},star ${'abc'[i % 3]}\n`,
    ).join(''),
  )
  const parts = splitTextGroup(group, 44, 5)

  it('are stored with their kinds (fixed, float64, decimal with exceptions, integer with a prefix, dictionary)', () => {
    expect(parts.map((part) => part[0])).toEqual([4, 2, 3, 5, 6])
    expect(sameBytes(joinTextGroup(parts, 44), group)).toBe(true)
  })

  it('give typed errors for hostile tables, flipped bytes and cut chunks', () => {
    const rejects = (damaged: Uint8Array[]) => {
      try {
        const out = joinTextGroup(damaged, 44)
        expect(out.byteLength).toBeLessThanOrEqual(group.byteLength * 4)
      } catch (error) {
        expect(error).toMatchObject({ code: 'CORRUPT_CHUNK' })
      }
    }
    const decimal = parts[2]!
    const view = new DataView(decimal.buffer, decimal.byteOffset)
    const table = 8 + 300 * 4
    const hostile = (edit: (copy: DataView) => void) => {
      const copy = decimal.slice()
      edit(new DataView(copy.buffer))
      expect(() => joinTextGroup([parts[0]!, parts[1]!, copy, parts[3]!, parts[4]!], 44)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_CHUNK' }),
      )
    }
    expect(view.getUint32(table, true)).toBeGreaterThan(1)
    hostile((copy) => copy.setUint32(table, 0xffffffff, true)) // 4 billion exceptions
    hostile((copy) => copy.setUint32(4, 0xffffffff, true)) // 4 billion rows
    hostile((copy) => copy.setUint32(table + 12, copy.getUint32(table + 4, true), true)) // rows not ascending
    hostile((copy) => copy.setUint32(table + 8, 0x7fffffff, true)) // an exception past the end
    hostile((copy) => copy.setUint8(1, 10)) // scale 10
    // A dictionary code past its entries, more entries than codes can name, an entry past the end.
    const dictionary = parts[4]!
    for (const [at, value] of [
      [8 + 17, 200],
      [8 + 300 + 1, 2],
      [dictionary.byteLength - 7, 255], // the length of the last entry, "star c"
    ] as const) {
      const bad = dictionary.slice()
      bad[at] = value
      expect(() => joinTextGroup([parts[0]!, parts[1]!, parts[2]!, parts[3]!, bad], 44)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_CHUNK' }),
      )
    }
    // An integer column whose prefix or suffix would run past its end.
    const integers = parts[3]!
    for (const at of [integers.byteLength - 3, integers.byteLength - 1]) {
      const bad = integers.slice()
      bad[at] = 255
      expect(() => joinTextGroup([parts[0]!, parts[1]!, parts[2]!, bad, parts[4]!], 44)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_CHUNK' }),
      )
    }
    for (const [i, part] of parts.entries()) {
      for (let n = 0; n < 300; n++) {
        const bad = part.slice()
        bad[(n * 7919) % bad.byteLength]! ^= 1 << (n % 8)
        rejects(parts.map((p, j) => (j === i ? bad : p)))
      }
      for (const cut of [0, 4, 8, 9, part.byteLength - 1])
        rejects(parts.map((p, j) => (j === i ? p.subarray(0, cut) : p)))
    }
  })
})
