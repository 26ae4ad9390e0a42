import { readFileSync } from 'node:fs'
import { type AstropackError, isAstropackError } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { bytesSource, readVotableBatches, scanVotable } from '../src/index.js'

const irsa = readFileSync(new URL('./fixtures/votable/irsa-m31.vot.xml', import.meta.url), 'utf8')

async function failure(text: string | Uint8Array): Promise<AstropackError> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  try {
    for await (const _ of readVotableBatches(bytesSource(bytes), { sliceBytes: 1000 })) {
      // consume
    }
  } catch (error) {
    if (isAstropackError(error)) return error
    throw error
  }
  throw new Error('read did not fail')
}

function table(fields: string, rows: string): string {
  return `<?xml version="1.0"?><VOTABLE version="1.4"><RESOURCE><TABLE>${fields}<DATA><TABLEDATA>${rows}</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
}

describe('damaged VOTables give typed errors', () => {
  it('not XML, or XML without a VOTABLE root: BAD_MAGIC', async () => {
    expect((await failure('ra,dec\n1,2\n')).code).toBe('BAD_MAGIC')
    expect((await failure('<?xml version="1.0"?><html><body/></html>')).code).toBe('BAD_MAGIC')
    expect((await failure('   ')).code).toBe('BAD_MAGIC')
    await expect(scanVotable(bytesSource(new Uint8Array(0)))).rejects.toMatchObject({ code: 'BAD_MAGIC' })
  })

  it('truncated XML: CORRUPT_CHUNK with the line and column', async () => {
    for (const cut of [100, 4000, irsa.indexOf('</TABLEDATA>')]) {
      const error = await failure(irsa.slice(0, cut))
      expect(error.code, `cut at ${cut}`).toBe('CORRUPT_CHUNK')
      expect(error.message).toMatch(/\d+:\d+/)
    }
    // Cut after the table: its rows are whole, so reading (which stops there) succeeds; the scan fails.
    const afterTable = new TextEncoder().encode(irsa.slice(0, irsa.indexOf('</RESOURCE>')))
    let rows = 0
    for await (const batch of readVotableBatches(bytesSource(afterTable))) rows += batch.numRows
    expect(rows).toBe(18)
    await expect(scanVotable(bytesSource(afterTable))).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('an unclosed or mismatched tag: CORRUPT_CHUNK', async () => {
    const error = await failure(irsa.replace('</TD></TR>', '</TD></TD>'))
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/malformed at 48:\d+/)
  })

  it('a TR with too few or too many TDs: CORRUPT_CHUNK naming the row', async () => {
    const fields = '<FIELD name="a" datatype="int"/><FIELD name="b" datatype="double"/>'
    const few = await failure(table(fields, '<TR><TD>1</TD><TD>2</TD></TR><TR><TD>3</TD></TR>'))
    expect(few.code).toBe('CORRUPT_CHUNK')
    expect(few.message).toMatch(/row 2 .*1 TD elements for 2 FIELDs/)
    const many = await failure(table(fields, '<TR><TD>1</TD><TD>2</TD><TD>3</TD></TR>'))
    expect(many.message).toMatch(/row 1 .*more than 2 TD/)
  })

  it('a TD that is not its datatype: CORRUPT_CHUNK naming the row and field', async () => {
    const fields = '<FIELD name="id" datatype="int"/><FIELD name="mag" datatype="float"/>'
    const cases: [string, string][] = [
      ['<TD>1</TD><TD>1.2.3</TD>', "field 'mag': '1.2.3' is not a float"],
      ['<TD>2147483648</TD><TD>1</TD>', "field 'id': '2147483648' is not a int"],
      ['<TD>12abc</TD><TD>1</TD>', "field 'id': '12abc' is not a int"],
      ['<TD>1</TD><TD>0x10</TD>', "field 'mag': '0x10' is not a float"],
    ]
    for (const [cells, message] of cases) {
      const error = await failure(table(fields, `<TR><TD>0</TD><TD>0</TD></TR><TR>${cells}</TR>`))
      expect(error.code).toBe('CORRUPT_CHUNK')
      expect(error.message).toMatch(/^VOTable row 2 \(line 1, column \d+\): /)
      expect(error.message).toContain(message)
    }
    const array = await failure(
      table('<FIELD name="v" datatype="double" arraysize="3"/>', '<TR><TD>1 2</TD></TR>'),
    )
    expect(array.message).toMatch(/field 'v': 2 elements where arraysize '3' needs 3/)
  })

  it('an unknown datatype or a malformed arraysize: CORRUPT_CHUNK naming the field', async () => {
    const unknown = await failure(table('<FIELD name="x" datatype="quad"/>', '<TR><TD>1</TD></TR>'))
    expect(unknown.code).toBe('CORRUPT_CHUNK')
    expect(unknown.message).toMatch(/FIELD 'x': unknown datatype 'quad'/)
    const arraysize = await failure(
      table('<FIELD name="y" datatype="int" arraysize="*x2"/>', '<TR><TD>1</TD></TR>'),
    )
    expect(arraysize.message).toMatch(/FIELD 'y': arraysize '\*x2'/)
    // The scan reports such fields as written, without failing.
    const scan = await scanVotable(
      bytesSource(new TextEncoder().encode(table('<FIELD name="x" datatype="quad"/>', ''))),
    )
    expect(scan.tables[0]?.fields[0]?.datatype).toBe('quad')
  })

  it('FITS-serialised data: UNSUPPORTED_FEATURE', async () => {
    const text =
      '<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/><DATA><FITS><STREAM href="x.fits"/></FITS></DATA></TABLE></RESOURCE></VOTABLE>'
    const error = await failure(text)
    expect(error.code).toBe('UNSUPPORTED_FEATURE')
    expect(error.message).toMatch(/FITS/)
  })

  it('BINARY/BINARY2 STREAM: damaged base64, a cut row, absurd counts, cut XML, refused forms', async () => {
    const fields = '<FIELD name="n" datatype="int"/><FIELD name="s" datatype="char" arraysize="*"/>'
    const binary = (stream: string, attributes = 'encoding="base64"', encoding = 'BINARY2') =>
      `<VOTABLE><RESOURCE><TABLE>${fields}<DATA><${encoding}><STREAM ${attributes}>${stream}</STREAM></${encoding}></DATA></TABLE></RESOURCE></VOTABLE>`
    const base64 = (bytes: number[]) => Buffer.from(bytes).toString('base64')
    // One good BINARY2 row: no nulls, n = 7, s = "ab".
    const row = [0, 0, 0, 0, 7, 0, 0, 0, 2, 0x61, 0x62]
    let rows = 0
    for await (const batch of readVotableBatches(
      bytesSource(new TextEncoder().encode(binary(base64(row)))),
    )) {
      rows += batch.numRows
      expect(batch.getChild('s')?.get(0)).toBe('ab')
    }
    expect(rows).toBe(1)

    const badCharacter = await failure(binary(`${base64(row).slice(0, 4)}!${base64(row).slice(4)}`))
    expect(badCharacter.code).toBe('CORRUPT_CHUNK')
    expect(badCharacter.message).toMatch(/"!" is not base64/)
    const afterPadding = await failure(binary(`${base64([1])}AAAA`))
    expect(afterPadding.message).toMatch(/after the base64 padding/)

    const cut = await failure(binary(base64(row.slice(0, 9))))
    expect(cut.code).toBe('TRUNCATED')
    expect(cut.message).toMatch(/ends inside row 1/)

    // A count of 4 G characters: refused at once, from the count alone (nothing waits for or allocates it).
    const huge = await failure(binary(base64([0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xf0, 0x61])))
    expect(huge.code).toBe('LIMIT_EXCEEDED')
    // Within the cell limit but more than the whole file could hold.
    const tooLong = await failure(binary(base64([0, 0, 0, 0, 1, 0, 0x10, 0, 0, 0x61])))
    expect(tooLong.code).toBe('CORRUPT_CHUNK')
    expect(tooLong.message).toMatch(/count of 1048576 .*more than the whole file holds/)

    const cutXml = binary(base64([...row, ...row, ...row]))
    const cutError = await failure(cutXml.slice(0, cutXml.indexOf('</STREAM>') - 3))
    expect(cutError.code).toBe('CORRUPT_CHUNK')
    expect(cutError.message).toMatch(/malformed/)

    for (const [attributes, pattern] of [
      ['href="http://example.org/data.bin"', /elsewhere/],
      ['encoding="gzip"', /encoding "gzip"/],
      ['encoding="dynamic"', /encoding "dynamic"/],
      ['', /encoding "none"/],
    ] as const) {
      const error = await failure(binary('', attributes))
      expect(error.code).toBe('UNSUPPORTED_FEATURE')
      expect(error.message).toMatch(pattern)
    }
    // Rows of no bytes (a zero-size array as the only FIELD of a BINARY table) cannot hold data.
    const empty = await failure(
      `<VOTABLE><RESOURCE><TABLE><FIELD name="z" datatype="int" arraysize="0"/><DATA><BINARY><STREAM encoding="base64">AAAA</STREAM></BINARY></DATA></TABLE></RESOURCE></VOTABLE>`,
    )
    expect(empty.code).toBe('CORRUPT_CHUNK')
    expect(empty.message).toMatch(/rows of zero bytes/)
  })

  it('billion laughs: DTD entities are never expanded, the first use is CORRUPT_CHUNK', async () => {
    const levels = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    ).join('')
    const text = `<?xml version="1.0"?><!DOCTYPE VOTABLE [<!ENTITY lol0 "lol">${levels}]><VOTABLE><RESOURCE><TABLE><FIELD name="s" datatype="char" arraysize="*"/><DATA><TABLEDATA><TR><TD>&lol9;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>`
    const error = await failure(text)
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/undefined entity|entity/i)
  })

  it('a TD longer than maxCellChars: LIMIT_EXCEEDED', async () => {
    const text = table(
      '<FIELD name="s" datatype="char" arraysize="*"/>',
      `<TR><TD>${'x'.repeat(5000)}</TD></TR>`,
    )
    const read = readVotableBatches(bytesSource(new TextEncoder().encode(text)), { maxCellChars: 1000 })
    await expect(read.next()).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' })
  })

  it('invalid UTF-8 and an undeclared encoding', async () => {
    const bytes = new TextEncoder().encode(table('<FIELD name="s" datatype="char"/>', '<TR><TD>z</TD></TR>'))
    bytes[bytes.indexOf(0x7a)] = 0xff
    expect((await failure(bytes)).code).toBe('CORRUPT_CHUNK')
    const ebcdic = '<?xml version="1.0" encoding="EBCDIC-CP-US"?><VOTABLE/>'
    expect((await failure(ebcdic)).code).toBe('UNSUPPORTED_FEATURE')
  })
})
