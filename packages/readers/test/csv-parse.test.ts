import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as classifyModule from '../src/csv/classify.js'
import { csvArrowSchema, readCsvBatches, scanCsv } from '../src/index.js'
import { readColumns, source } from './helpers/csv.js'

describe('csv: layout', () => {
  it('reads a header, RFC 4180 quoting and every line end', async () => {
    const text = 'name,note,n\r\n"a,b","say ""hi""",1\n"two\r\nlines",plain,2\rlast,"",3'
    const { names, columns } = await readColumns(text)
    expect(names).toEqual(['name', 'note', 'n'])
    expect(columns).toEqual([
      ['a,b', 'two\r\nlines', 'last'],
      ['say "hi"', 'plain', null],
      [1, 2, 3],
    ])
  })

  it('detects tabs, and takes a given delimiter over detection', async () => {
    expect((await readColumns('a\tb,c\n1\t2,3\n', { delimiter: '\t' })).columns).toEqual([[1], ['2,3']])
    expect((await readColumns('a\tb\tc,d\n1\t2\t3,4\n')).columns).toEqual([[1], [2], ['3,4']])
    // A tie goes to the comma.
    expect((await readColumns('a\tb,c\n1\t2,3\n')).columns).toEqual([['1\t2'], [3]])
  })

  it('skips a byte order mark, # comment lines at the top and blank lines', async () => {
    const text = '\ufeff# %ECSV 1.0\n# ---\n#   datatype: [...]\n\nra,dec\n\n1.5,2\n\n3,-4.25\n\n'
    const scan = await scanCsv(source(text))
    // The byte after the header line; the byte order mark is 3 bytes but one character.
    expect(scan.dataStart).toBe(text.indexOf('ra,dec') + 'ra,dec\n'.length + 2)
    const { names, columns } = await readColumns(text)
    expect(names).toEqual(['ra', 'dec'])
    expect(columns).toEqual([
      [1.5, 3],
      [2, -4.25],
    ])
  })

  it('takes a first row of numbers for data, or follows header: true/false', async () => {
    const numbers = await readColumns('1,2.5,\n3,4,x\n')
    expect(numbers.names).toEqual(['col1', 'col2', 'col3'])
    expect(numbers.columns).toEqual([
      [1, 3],
      [2.5, 4],
      [null, 'x'],
    ])
    expect((await readColumns('1,2\n3,4\n', { header: true })).names).toEqual(['1', '2'])
    const words = await readColumns('a,b\nc,d\n', { header: false })
    expect(words.names).toEqual(['col1', 'col2'])
    expect(words.columns).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ])
  })

  it('names empty and repeated header fields', async () => {
    expect((await readColumns(' ra ,,ra,ra_2,ra\n1,2,3,4,5\n')).names).toEqual([
      'ra',
      'col2',
      'ra_2',
      'ra_2_2',
      'ra_3',
    ])
  })

  it('reads a final line without newline, an empty file and a header alone', async () => {
    expect((await readColumns('a\n1\n2')).columns).toEqual([[1, 2]])
    const empty = await readColumns('')
    expect(empty.names).toEqual([])
    const headerOnly = await readColumns('a,b\r\n')
    expect(headerOnly.names).toEqual(['a', 'b'])
    expect(headerOnly.columns).toEqual([[], []])
    expect(headerOnly.types).toEqual(['Utf8', 'Utf8'])
  })

  it('keeps blanks inside strings but not around numbers', async () => {
    const { types, columns } = await readColumns('id,name\n 1 ,  Ceres \n2,"  "\n')
    expect(types).toEqual(['Int32', 'Utf8'])
    expect(columns).toEqual([
      [1, 2],
      ['  Ceres ', null],
    ])
  })
})

describe('csv: types', () => {
  it('infers int32, int64, float64, bool and string', async () => {
    const text = 'i,big,f,b,s\n1,3000000000,1.5,T,x\n-2147483648,-9223372036854775808,2,F,1\n,,,,\n'
    const { types, columns } = await readColumns(text)
    expect(types).toEqual(['Int32', 'Int64', 'Float64', 'Bool', 'Utf8'])
    expect(columns).toEqual([
      [1, -2147483648, null],
      [3000000000n, -9223372036854775808n, null],
      [1.5, 2, null],
      [true, false, null],
      ['x', '1', null],
    ])
  })

  it('keeps integers beyond 2^53 exact', async () => {
    const ids = ['9007199254740993', '4295098369234567890', '9223372036854775807', '-4611686018427387905']
    // Up to 2^53 the digits are summed as a double: each step must stay exact.
    ids.push('9007199254740959', '-9007199254740991', '9007199254740992', '1000000000000001', '-2147483649')
    const { types, columns } = await readColumns(`source_id\n${ids.join('\n')}\n`)
    expect(types).toEqual(['Int64'])
    expect(columns[0]).toEqual(ids.map(BigInt))
  })

  it('reads floats as Number() does, including -0, tiny, huge and long mantissas', async () => {
    const values = [
      '-0',
      '-0.0',
      '1e-300',
      '5e-324',
      '1.7976931348623157e308',
      '1e400',
      '0.1',
      '225.86558534045722',
    ]
    const more = [
      '-.5',
      '5.',
      '+1.25E+02',
      '123456789012345678901234567890.0',
      '00012.50',
      'inf',
      '-Infinity',
    ]
    const { types, columns } = await readColumns(`x\n${[...values, ...more].join('\n')}\n`)
    expect(types).toEqual(['Float64'])
    const expected = [...values, ...more].map((text) =>
      /inf/i.test(text) ? Number(text.replace(/inf$/, 'Infinity')) : Number(text),
    )
    expect(columns[0]!.length).toBe(expected.length)
    columns[0]!.forEach((value, i) => {
      expect(Object.is(value, expected[i]), `${[...values, ...more][i]}`).toBe(true)
    })
  })

  it('reads -0 in an integer column as the float -0', async () => {
    const { types, columns } = await readColumns('x\n1\n-0\n')
    expect(types).toEqual(['Float64'])
    expect(Object.is(columns[0]![1], -0)).toBe(true)
  })

  it('widens int to float to string without changing a value', async () => {
    const cases: [string[], string, (string | number | bigint | null)[]][] = [
      [['1', '2.5'], 'Float64', [1, 2.5]],
      [['9007199254740992', '0.5'], 'Float64', [9007199254740992, 0.5]],
      // 2^53 + 1 is no double: the column stays text rather than round it.
      [['9007199254740993', '0.5'], 'Utf8', ['9007199254740993', '0.5']],
      [['99999999999999999999', '1'], 'Utf8', ['99999999999999999999', '1']],
      [['1', 'T'], 'Utf8', ['1', 'T']],
      [['12', 'JPL 53'], 'Utf8', ['12', 'JPL 53']],
      [['0x10', '1_000'], 'Utf8', ['0x10', '1_000']],
    ]
    for (const [values, type, expected] of cases) {
      const { types, columns } = await readColumns(`x\n${values.join('\n')}\n`)
      expect([types[0], columns[0]], values.join(' ')).toEqual([type, expected])
    }
  })

  it('reads the null spellings as null, and NaN as NaN in float columns', async () => {
    const nulls = ['', 'null', 'NULL', 'NaN', 'nan', '--', 'N/A', '  ']
    const { types, columns } = await readColumns(
      `i,f,s\n${nulls.map((n) => `${n},${n},${n}`).join('\n')}\n1,1.5,x\n`,
    )
    expect(types).toEqual(['Int32', 'Float64', 'Utf8'])
    expect(columns[0]).toEqual([...nulls.map(() => null), 1])
    expect(columns[1]).toEqual([null, null, null, Number.NaN, Number.NaN, null, null, null, 1.5])
    expect(columns[2]).toEqual([...nulls.map(() => null), 'x'])
    // NaN with nothing else makes a float column; a column of nulls alone is text.
    expect((await readColumns('a,b\nNaN,\nnan,\n')).types).toEqual(['Float64', 'Utf8'])
    // Quotes are syntax only: a quoted empty field is null too.
    expect((await readColumns('a,b\n"",1\n"2",""\n')).columns).toEqual([
      [null, 2],
      [1, null],
    ])
  })

  it('takes custom null spellings; a sentinel becomes null', async () => {
    const { types, columns } = await readColumns('m\n-999\n12.5\nnan\n', { nullValues: ['-999'] })
    expect(types).toEqual(['Float64'])
    expect(columns[0]).toEqual([null, 12.5, Number.NaN])
  })
})

describe('csv: batches and sampling', () => {
  const rows = Array.from({ length: 10 }, (_, i) => `${i},${i / 4}`).join('\n')

  it('streams batches of batchRows rows with the schema csvArrowSchema gives', async () => {
    const input = source(`a,b\n${rows}\n`)
    const scan = await scanCsv(input)
    expect(scan.rowCount).toBe(10)
    const schema = csvArrowSchema(scan)
    expect(schema.metadata.get('csv.delimiter')).toBe(',')
    const sizes: number[] = []
    for await (const batch of readCsvBatches(input, { scan, batchRows: 4 })) {
      expect(batch.schema).toEqual(schema)
      sizes.push(batch.numRows)
    }
    expect(sizes).toEqual([4, 4, 2])
  })

  it('with a sample, refuses a later value that does not fit (batches) or widens and re-reads (table)', async () => {
    const text = `a,b\n${rows}\nx,0.5\n`
    const sampled = await scanCsv(source(text), { inferRows: 3 })
    expect(sampled.rowsScanned).toBe(3)
    expect(sampled.rowCount).toBeUndefined()
    expect(sampled.columns.map((c) => c.type)).toEqual(['int32', 'float64'])
    const read = async () => {
      for await (const _ of readCsvBatches(source(text), { inferRows: 3 }));
    }
    await expect(read()).rejects.toMatchObject({ code: 'CSV_TYPE_MISMATCH', offset: text.indexOf('x,0.5') })
    await expect(read()).rejects.toThrow(/row 11, .*'x' does not fit column 'a' inferred as int32/)
    const { types, columns } = await readColumns(text, { inferRows: 3 })
    expect(types).toEqual(['Utf8', 'Float64'])
    expect(columns[0]!.at(-1)).toBe('x')
  })

  it('refuses bad options with USAGE', async () => {
    for (const options of [
      { batchRows: 0 },
      { sliceBytes: -1 },
      { maxRecordBytes: 1.5 },
      { inferRows: -1 },
    ]) {
      await expect(readColumns('a\n1\n', options)).rejects.toMatchObject({ code: 'USAGE' })
    }
    await expect(readColumns('a\n1\n', { delimiter: ';' as ',' })).rejects.toMatchObject({ code: 'USAGE' })
  })
})

describe('csv: decimals parse exactly as Number() does', () => {
  const { DEFAULT_NULL_VALUES, FieldClassifier, INT_HUGE, INT64 } = classifyModule
  const classifier = new FieldClassifier(DEFAULT_NULL_VALUES)
  const parsed = (text: string) => {
    const bytes = new TextEncoder().encode(text)
    // Integers beyond 2^53 are read through BigInt or kept as text, tested above.
    const kind = classifier.classify(bytes, 0, bytes.length)
    if (kind === INT64 || kind === INT_HUGE) return Number(text)
    return classifier.exact ? classifier.value : Number(text)
  }

  it('shortest forms of random doubles, and long digit strings with a point anywhere', () => {
    const digitString = fc
      .tuple(fc.stringMatching(/^[1-9]\d{15,18}$/), fc.nat({ max: 18 }), fc.constantFrom('', '-', '0.000'))
      .map(([digits, point, prefix]) => {
        const at = 1 + (point % (digits.length - 1))
        return prefix === '0.000' ? `0.000${digits}` : `${prefix}${digits.slice(0, at)}.${digits.slice(at)}`
      })
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true }).map(String), digitString), (text) => {
        expect(Object.is(parsed(text), Number(text)), text).toBe(true)
      }),
      { numRuns: 20_000 },
    )
  })

  it('exact halves round to even', () => {
    for (const text of [
      '4503599627370496.5',
      '4503599627370497.5',
      '-4503599627370497.5',
      '2251799813685248.25',
    ]) {
      expect(Object.is(parsed(text), Number(text)), text).toBe(true)
    }
  })
})
