import type { ByteSink } from '@astropack/format'
import {
  Bool,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  makeVector,
  type RecordBatch,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { writeCsv } from '../src/export/csv.js'

/**
 * The CSV text writeCsv gives for a table. The sink takes its copy of a piece a turn of the event loop
 * later, as a file write does: a writer that reused the bytes before the write settled would show.
 */
async function csvOf(table: Table): Promise<string> {
  const pieces: Uint8Array[] = []
  const sink: ByteSink = {
    write: async (bytes) => {
      await new Promise((resolve) => setImmediate(resolve))
      pieces.push(bytes.slice())
    },
  }
  async function* batches(): AsyncGenerator<RecordBatch> {
    yield* table.batches
  }
  await writeCsv(table.schema, batches(), sink)
  return Buffer.concat(pieces).toString('utf8')
}

describe('CSV export text', () => {
  it('writes numbers, strings, booleans, nulls and lists as the CSV format says', async () => {
    const table = new Table({
      f64: vectorFromArray(
        [-0, 0.1, Number.NaN, 1e21, Number.NEGATIVE_INFINITY, null, 225.86558534045722],
        new Float64(),
      ),
      f32: vectorFromArray([0.1, -0, null, 3.4028234663852886e38, 1e-7, 16777217, 2.5], new Float32()),
      i32: vectorFromArray([-5, 0, 2147483647, -2147483648, null, 7, 8], new Int32()),
      i64: vectorFromArray([2n ** 63n - 1n, -(2n ** 63n), 0n, null, 1n, 2n, 3n], new Int64()),
      text: vectorFromArray(['plain', 'a,b', 'say "hi"', '', null, 'Ωmega, "q"', 'two\nlines'], new Utf8()),
      flag: vectorFromArray([true, false, null, true, false, true, false], new Bool()),
      list: vectorFromArray(
        [[1.5, 2], [], null, [Number.NaN], [-0], [1e300], [0.25]],
        new List(new Field('item', new Float64(), true)),
      ),
      names: vectorFromArray(
        [['a', 'b'], [], null, ['Ω'], [''], ['x,y'], ['z']],
        new List(new Field('item', new Utf8(), true)),
      ),
    })
    expect(await csvOf(table)).toBe(
      [
        'f64,f32,i32,i64,text,flag,list,names',
        '-0,0.1,-5,9223372036854775807,plain,true,"[1.5, 2]","[""a"", ""b""]"',
        '0.1,-0,0,-9223372036854775808,"a,b",false,"[]","[]"',
        'NaN,,2147483647,0,"say ""hi""",,,',
        '1e+21,3.4028235e+38,-2147483648,,"",true,"[NaN]","[""Ω""]"',
        '-Infinity,1e-7,,1,,false,"[-0]","[""""]"',
        ',16777216,7,2,"Ωmega, ""q""",true,"[1e+300]","[""x,y""]"',
        '225.86558534045722,2.5,8,3,"two\nlines",false,"[0.25]","[""z""]"',
        '',
      ].join('\n'),
    )
  })

  it('writes text that is not UTF-8 as U+FFFD, so the file is UTF-8', async () => {
    const bytes = Uint8Array.from([0x41, 0xff, 0x2c, 0x42]) // A, a byte no UTF-8 has, a comma, B
    const data = makeData({ type: new Utf8(), length: 1, valueOffsets: Int32Array.from([0, 4]), data: bytes })
    expect(await csvOf(new Table({ s: makeVector(data) }))).toBe('s\n"A\uFFFD,B"\n')
  })

  it('writes every double as JavaScript prints it (-0 with its sign), whatever the mix', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.double(),
            fc.integer().map((k) => k / 1000),
            fc.constant(-0),
          ),
          { maxLength: 300 },
        ),
        async (values) => {
          const text = await csvOf(new Table({ x: vectorFromArray(values, new Float64()) }))
          const expected = values.map((value) => (Object.is(value, -0) ? '-0' : String(value)))
          expect(text).toBe(['x', ...expected, ''].join('\n'))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('writes piece after piece, each whole when its write settles, and grows for a cell longer than a piece', async () => {
    const long = 'x'.repeat(3 * 1024 * 1024)
    const rows = 60_000 // 1.37 MB of rows before the long cell: a piece (1 MiB) is written before it
    const numbers = Array.from({ length: rows }, (_, i) => i * 1.000001)
    const text = Array.from({ length: rows }, (_, i) => (i === rows - 2 ? long : `r${i}`))
    const csv = await csvOf(
      new Table({ n: vectorFromArray(numbers, new Float64()), s: vectorFromArray(text, new Utf8()) }),
    )
    const lines = ['n,s', ...numbers.map((n, i) => `${n},${text[i]}`), '']
    expect(csv.length).toBe(lines.join('\n').length)
    expect(csv === lines.join('\n')).toBe(true)
  })
})
