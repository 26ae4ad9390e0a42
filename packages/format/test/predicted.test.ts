import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FEATURE_PREDICTED_COLUMNS, joinTextGroup, predictTextColumns, splitTextGroup } from '../src/index.js'
import { Relation } from '../src/relations.js'
import { TextChunkFlag, TextColumnKind, textChunkFeatures } from '../src/text-table.js'
import { sameBytes, sampleFiles } from './helpers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const COMMA = 44

/** A predicted chunk's relation: [relation, source a, source b, c]. */
function relationOf(chunk: Uint8Array): [number, number, number, number] {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  return [chunk[8]!, view.getUint16(10, true), view.getUint16(12, true), view.getFloat64(16, true)]
}

/** The double `steps` units in the last place away from x (through its bits). */
function ulps(x: number, steps: number): number {
  const bits = new BigInt64Array(Float64Array.of(x).buffer)
  bits[0]! += BigInt(steps)
  return new Float64Array(bits.buffer)[0]!
}

describe("columns predicted from others of their line (JPL's small-body database)", async () => {
  const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
  const text = new TextDecoder('latin1').decode(csv!.bytes)
  const names = text.slice(0, text.indexOf('\n')).split(',')
  const body = latin1(text.slice(text.indexOf('\n') + 1))
  const plain = splitTextGroup(body, COMMA, names.length)
  const parts = predictTextColumns(plain)
  const [e, a, q, per] = ['e', 'a', 'q', 'per_y'].map((name) => names.indexOf(name)) as number[]

  it('store q as a(1 - e) and the period as c a √a, in a tenth of the bytes, and rebuild the lines', () => {
    expect(relationOf(parts[q!]!).slice(0, 3)).toEqual([Relation.timesOneMinus, a, e])
    const [relation, ra, rb, c] = relationOf(parts[per!]!)
    expect([relation, ra, rb]).toEqual([Relation.timesRoot, a, a])
    // Years per AU^1.5: the Gaussian year over the Julian year, 1.0000189.
    expect(c).toBeCloseTo(1.0000189, 6)
    for (const [i, part] of parts.entries()) if (i !== q && i !== per) expect(part).toBe(plain[i]) // the others as they were
    expect(sameBytes(joinTextGroup(parts, COMMA), body)).toBe(true)
    // Residuals: most zigzag values fit a byte, where a full-precision double takes 8 (before zstd).
    const view = new DataView(parts[q!]!.buffer)
    let small = 0
    const rows = view.getUint32(4, true)
    for (let row = 0; row < rows; row++) if (view.getBigUint64(24 + row * 8, true) < 256n) small++
    expect(small / rows).toBeGreaterThan(0.95)
  })

  it('need feature bit 6 of readers', () => {
    expect(textChunkFeatures(parts[q!]!) & FEATURE_PREDICTED_COLUMNS).toBe(FEATURE_PREDICTED_COLUMNS)
    expect(textChunkFeatures(plain[q!]!) & FEATURE_PREDICTED_COLUMNS).toBe(0)
  })

  it('give typed errors for sources that are missing, predicted or of another kind, and damaged relations', () => {
    const edit = (change: (view: DataView, copy: Uint8Array) => void) => {
      const copy = parts[q!]!.slice()
      change(new DataView(copy.buffer), copy)
      return () => joinTextGroup([...parts.slice(0, q), copy, ...parts.slice(q! + 1)], COMMA)
    }
    const corrupt = expect.objectContaining({ code: 'CORRUPT_CHUNK' })
    expect(edit((view) => view.setUint16(10, 200, true))).toThrow(corrupt) // no column 200
    expect(edit((view) => view.setUint16(10, q!, true))).toThrow(corrupt) // itself
    expect(edit((view) => view.setUint16(12, per!, true))).toThrow(corrupt) // another prediction
    expect(edit((view) => view.setUint16(12, names.indexOf('H'), true))).toThrow(corrupt) // a decimal column
    expect(edit((_, copy) => (copy[8] = 0))).toThrow(corrupt)
    expect(edit((_, copy) => (copy[8] = 10))).toThrow(corrupt)
    expect(edit((view) => view.setUint32(4, 0xffffffff, true))).toThrow(corrupt) // 4 billion rows
    expect(() =>
      joinTextGroup([...parts.slice(0, q), parts[q!]!.subarray(0, 20), ...parts.slice(q! + 1)], COMMA),
    ).toThrow(corrupt)
    // Any flipped byte of the relation and first residuals: a typed error or other text, never a crash.
    for (let at = 0; at < 48; at++)
      for (const flip of [0x01, 0xff]) {
        const run = edit((_, copy) => (copy[at]! ^= flip))
        try {
          expect(run().byteLength).toBeLessThanOrEqual(body.byteLength * 2)
        } catch (error) {
          expect(error).toMatchObject({ code: 'CORRUPT_CHUNK' })
        }
      }
  })
})

describe('predicted columns, on random tables', () => {
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true })
  const row = fc.record({
    a: fc.oneof(finite, fc.double({ min: 0.1, max: 100, noNaN: true })),
    b: fc.oneof(finite, fc.double({ min: 0, max: 1, noNaN: true })),
    noise: fc.integer({ min: -40, max: 40 }),
    empty: fc.integer({ min: 0, max: 20 }),
  })
  const derived = [
    (a: number, b: number) => a - b,
    (a: number, b: number) => a + b,
    (a: number, b: number) => a * b,
    (a: number, b: number) => a / b,
    (a: number, b: number) => a * (1 - b),
    (a: number, b: number) => a * (1 + b),
    (a: number) => 1.0000189 * (a * Math.sqrt(a)),
    (a: number) => 0.9856076686 * (1 / (a * Math.sqrt(a))),
    (a: number) => 365.25 * a,
  ]

  it('rebuild every line byte for byte, whichever columns the search predicts', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 300 }), fc.nat(derived.length - 1), (rows, r) => {
        const f = derived[r]!
        const lines = rows.map(({ a, b, noise, empty }) => {
          const y = ulps(f(a, b), noise)
          // Some empty fields (exceptions) in every column, NaN and infinities as the text they print.
          return [
            empty === 0 ? '' : String(a),
            empty === 1 ? '' : String(b),
            empty === 2 ? '' : String(y),
          ].join(',')
        })
        const group = latin1(`${lines.join('\n')}\n`)
        const parts = predictTextColumns(splitTextGroup(group, COMMA, 3))
        expect(sameBytes(joinTextGroup(parts, COMMA), group)).toBe(true)
      }),
      { numRuns: 400 },
    )
  })

  it('are chosen for each relation when the values follow it to a few units in the last place', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => [
      0.5 + ((i * 7919) % 1000) / 37.3,
      ((i * 104729) % 997) / 1000.7,
    ])
    for (const [r, f] of derived.entries()) {
      const lines = rows.map(([a, b], i) => `${a},${b},${ulps(f(a!, b!), (i % 7) - 3)}`)
      const group = latin1(`${lines.join('\n')}\n`)
      const parts = predictTextColumns(splitTextGroup(group, COMMA, 3))
      // One column predicted from the other two: the third, or one the relation solves for (a = y + b).
      const predicted = parts.flatMap((part, c) => (part[0] === TextColumnKind.predicted ? [c] : []))
      expect(predicted, `relation ${r + 1}`).toHaveLength(1)
      if (predicted[0] === 2) expect(relationOf(parts[2]!)[0]).toBe(r + 1)
      expect(sameBytes(joinTextGroup(parts, COMMA), group)).toBe(true)
    }
  })

  it('keep the text around values: quoted fields, right-aligned columns, CR LF', () => {
    const rows = Array.from({ length: 800 }, (_, i) => [1 + i / 7.3, ((i * 37) % 100) / 101])
    const q = (a: number, e: number) => a * (1 - e)
    const pad = (text: string) => text.padStart(22)
    const shapes = [
      rows.map(([a, e]) => `"${a}","${e}","${q(a!, e!)}"\n`).join(''),
      rows.map(([a, e]) => `${pad(String(a))}\t${pad(String(e))}\t${pad(String(q(a!, e!)))}\n`).join(''),
      rows.map(([a, e]) => `${a},${e},${q(a!, e!)}\r\n`).join(''),
    ]
    for (const [i, text] of shapes.entries()) {
      const delimiter = i === 1 ? 9 : COMMA
      const group = latin1(text)
      const parts = predictTextColumns(splitTextGroup(group, delimiter, 3))
      expect(parts[2]![0], text.slice(0, 40)).toBe(TextColumnKind.predicted)
      // Flags: affixed (the quotes), padded, crlf: as the float64 chunk had them.
      expect(parts[2]![2]).toBe([TextChunkFlag.affixed, TextChunkFlag.padded, TextChunkFlag.crlf][i])
      expect(sameBytes(joinTextGroup(parts, delimiter), group)).toBe(true)
    }
  })

  it('are not chosen for unrelated columns', () => {
    const random = Array.from({ length: 3000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453)
    const lines = Array.from({ length: 1000 }, (_, i) => random.slice(3 * i, 3 * i + 3).join(','))
    const plain = splitTextGroup(latin1(`${lines.join('\n')}\n`), COMMA, 3)
    expect(predictTextColumns(plain)).toBe(plain)
  })
})
