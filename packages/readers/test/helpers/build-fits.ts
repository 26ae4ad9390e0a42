import { formatCards } from '../../src/index.js'

export type CardSpec =
  | [keyword: string, value: string | number | bigint | boolean | null, comment?: string]
  | string

/** A header: `[keyword, value]` pairs become fixed-format cards, plain strings are taken as raw cards. */
export function header(cards: CardSpec[], options: { end?: boolean } = {}): Uint8Array {
  const lines = cards.flatMap((card) =>
    typeof card === 'string' ? [card.padEnd(80)] : formatCards(card[0], card[1], card[2]),
  )
  if (options.end !== false) lines.push('END'.padEnd(80))
  return padded(new TextEncoder().encode(lines.join('')), 32)
}

/** Pads to a multiple of 2880 bytes with `fill` (spaces for headers, zeros for data). */
export function padded(bytes: Uint8Array, fill = 0): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 2880) * 2880).fill(fill)
  out.set(bytes)
  return out
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export const emptyPrimary: CardSpec[] = [
  ['SIMPLE', true],
  ['BITPIX', 8],
  ['NAXIS', 0],
  ['EXTEND', true],
]

/** A primary HDU without data followed by one BINTABLE extension. */
export function binTableFile(
  columns: { form: string; name?: string; comment?: string; extra?: CardSpec[] }[],
  rows: Uint8Array,
  options: { rowBytes: number; rowCount: number; heap?: Uint8Array; extra?: CardSpec[]; fields?: number },
): Uint8Array {
  const heap = options.heap ?? new Uint8Array(0)
  const cards: CardSpec[] = [
    ['XTENSION', 'BINTABLE'],
    ['BITPIX', 8],
    ['NAXIS', 2],
    ['NAXIS1', options.rowBytes],
    ['NAXIS2', options.rowCount],
    ['PCOUNT', heap.length],
    ['GCOUNT', 1],
    ['TFIELDS', options.fields ?? columns.length],
  ]
  columns.forEach((column, i) => {
    cards.push(
      [`TTYPE${i + 1}`, column.name ?? `c${i + 1}`, column.comment],
      [`TFORM${i + 1}`, column.form],
      ...(column.extra ?? []),
    )
  })
  cards.push(...(options.extra ?? []))
  return concat(header(emptyPrimary), header(cards), padded(concat(rows, heap)))
}

/** Big-endian bytes from a writer callback, e.g. `bigEndian(8, (v) => v.setFloat64(0, 1.5))`. */
export function bigEndian(length: number, write: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(length)
  write(new DataView(bytes.buffer))
  return bytes
}
