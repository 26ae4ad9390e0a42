// Builds a big FITS binary table from real rows: the first BINTABLE (without a heap) of a source file,
// its rows repeated until the file reaches the requested size, with a valid header (NAXIS2 updated,
// CHECKSUM/DATASUM blanked since they no longer hold) and the data padded to a multiple of 2880 bytes.
//   node tooling/bench/make-large-fits.mjs <source.fits> <out.fits> <size, e.g. 5G>
import { createHash } from 'node:crypto'
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const BLOCK = 2880
const CARD = 80

/** '5G' = 5 GiB; K, M, G, T are binary multiples; a bare number is bytes. */
export function parseSize(text) {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(String(text).trim())
  if (!match) throw new Error(`not a size: ${text} (use e.g. 512M or 5G)`)
  const power = ' KMGT'.indexOf(match[2].toUpperCase() || ' ')
  return Math.round(Number(match[1]) * 1024 ** power)
}

/** The HDUs of a FITS file: { headerStart, dataStart, dataBytes, cards, value(key) }. */
function* hdus(bytes) {
  let at = 0
  while (at + BLOCK <= bytes.length) {
    const cards = []
    let end = -1
    for (let pos = at; end < 0 && pos + CARD <= bytes.length; pos += CARD) {
      const card = bytes.toString('latin1', pos, pos + CARD)
      cards.push(card)
      if (card.startsWith('END ') || card === 'END'.padEnd(CARD)) end = pos + CARD
    }
    if (end < 0) return
    const dataStart = Math.ceil(end / BLOCK) * BLOCK
    const value = (key) => {
      const card = cards.find((c) => c.slice(0, 8).trimEnd() === key && c[8] === '=')
      return card?.slice(10).split('/')[0].trim().replaceAll("'", '').trim()
    }
    const naxis = Number(value('NAXIS') ?? 0)
    let elements = naxis > 0 ? 1 : 0
    for (let i = 1; i <= naxis; i++) elements *= Number(value(`NAXIS${i}`))
    const pcount = Number(value('PCOUNT') ?? 0)
    const gcount = Number(value('GCOUNT') ?? 1)
    const dataBytes = (Math.abs(Number(value('BITPIX'))) / 8) * gcount * (pcount + elements)
    yield { headerStart: at, dataStart, dataBytes, cards, value }
    at = dataStart + Math.ceil(dataBytes / BLOCK) * BLOCK
  }
}

function headerBytes(cards) {
  const text = cards.join('')
  return Buffer.from(text.padEnd(Math.ceil(text.length / BLOCK) * BLOCK, ' '), 'latin1')
}

/**
 * Writes out (through a temporary name) and returns { bytes, rows, rowBytes, sourceRows, sha256 }.
 */
export function makeLargeFits(source, out, targetBytes) {
  const bytes = readFileSync(source)
  const all = [...hdus(bytes)]
  const table = all.find(
    (h) => h.value('XTENSION') === 'BINTABLE' && Number(h.value('PCOUNT') ?? 0) === 0 && h.dataBytes > 0,
  )
  if (!table) throw new Error(`${source} has no binary table without a heap to repeat`)
  const rowBytes = Number(table.value('NAXIS1'))
  const sourceRows = Number(table.value('NAXIS2'))
  const primary = bytes.subarray(0, all[1]?.headerStart ?? bytes.length)

  const cardsFor = (rows) =>
    table.cards.map((card) => {
      const key = card.slice(0, 8).trimEnd()
      if (key === 'NAXIS2') return `${card.slice(0, 10)}${String(rows).padStart(20)}${card.slice(30)}`
      if (key === 'CHECKSUM' || key === 'DATASUM') return ' '.repeat(CARD)
      return card
    })
  const header = headerBytes(cardsFor(0)).length
  const rows = Math.max(1, Math.floor((targetBytes - primary.length - header) / rowBytes))
  const tableHeader = headerBytes(cardsFor(rows))
  const data = bytes.subarray(table.dataStart, table.dataStart + rowBytes * sourceRows)

  // One write buffer of whole source tables (at least 16 MiB), written again and again.
  const copies = Math.max(1, Math.ceil((16 * 1024 * 1024) / data.length))
  const block = Buffer.concat(Array.from({ length: copies }, () => data))
  const hash = createHash('sha256')
  const temp = `${out}.partial`
  const fd = openSync(temp, 'w')
  const write = (buffer) => {
    hash.update(buffer)
    let done = 0
    while (done < buffer.length) done += writeSync(fd, buffer, done)
  }
  try {
    write(primary)
    write(tableHeader)
    let left = rows * rowBytes
    while (left > 0) {
      const piece = block.subarray(0, Math.min(left, block.length))
      write(piece)
      left -= piece.length
    }
    const pad = (BLOCK - ((rows * rowBytes) % BLOCK)) % BLOCK
    write(Buffer.alloc(pad))
  } finally {
    closeSync(fd)
  }
  renameSync(temp, out)
  const total = primary.length + tableHeader.length + Math.ceil((rows * rowBytes) / BLOCK) * BLOCK
  return { bytes: total, rows, rowBytes, sourceRows, sha256: hash.digest('hex') }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [source, out, size] = process.argv.slice(2)
  if (!source || !out || !size) {
    console.error('usage: make-large-fits.mjs <source.fits> <out.fits> <size, e.g. 5G>')
    process.exit(2)
  }
  const made = makeLargeFits(source, out, parseSize(size))
  console.log(JSON.stringify(made, null, 2))
}
