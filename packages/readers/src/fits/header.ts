import type { ByteSource } from '../byte-source.js'
import { CARD_LENGTH, type FitsCard, type FitsValue, parseCard } from './card.js'
import { fitsError } from './errors.js'

export const BLOCK_LENGTH = 2880

/** The cards of one header, from its first card to END, and where it sits in the file. */
export interface FitsHeader {
  /** Every card up to and including END, in file order. */
  cards: FitsCard[]
  /** Byte offset of the first card. */
  start: number
  /** Byte offset just after the padded header, i.e. where the data starts. */
  end: number
  /** First value card of each keyword; CONTINUE strings are already joined into it. */
  byKeyword: ReadonlyMap<string, FitsCard>
}

export interface ReadHeaderOptions {
  /** HDU number, for error messages. */
  hdu: number
  /** A header longer than this is refused (LIMIT_EXCEEDED) instead of read on. */
  maxHeaderBytes: number
}

/** Blocks read per request: headers are usually one to a few blocks. */
const BLOCKS_PER_READ = 4

/**
 * Reads 2880-byte blocks from `start` until the END card. A block with bytes outside printable ASCII
 * means the END card is missing (the reader has walked into data): CORRUPT_CHUNK; the end of the
 * source before END: TRUNCATED.
 */
export async function readHeader(
  source: ByteSource,
  start: number,
  options: ReadHeaderOptions,
): Promise<FitsHeader> {
  const { hdu, maxHeaderBytes } = options
  const cards: FitsCard[] = []
  const joiner = new ContinueJoiner()
  let position = start
  while (position < source.byteLength) {
    if (position - start >= maxHeaderBytes) {
      throw fitsError('LIMIT_EXCEEDED', { hdu, offset: start }, `header longer than ${maxHeaderBytes} bytes`)
    }
    const end = Math.min(source.byteLength, position + BLOCKS_PER_READ * BLOCK_LENGTH)
    const bytes = await source.slice(position, end)
    for (let at = 0; at + CARD_LENGTH <= bytes.length; at += CARD_LENGTH) {
      const offset = position + at
      const raw = cardText(bytes, at)
      if (raw === undefined) {
        const text =
          cards.length === 0
            ? 'header does not start with a card'
            : 'non-ASCII byte in header: END card missing'
        throw fitsError('CORRUPT_CHUNK', { hdu, offset }, text)
      }
      const card = parseCard(raw, offset)
      cards.push(card)
      joiner.add(card)
      if (card.kind === 'end') {
        const headerEnd = start + Math.ceil((offset + CARD_LENGTH - start) / BLOCK_LENGTH) * BLOCK_LENGTH
        return { cards, start, end: headerEnd, byKeyword: indexCards(cards) }
      }
    }
    if (bytes.length < end - position) break
    position = end
  }
  throw fitsError(
    'TRUNCATED',
    { hdu, offset: source.byteLength },
    `file ends inside the header that starts at byte ${start}`,
  )
}

/** The 80 bytes at `at` as text, or undefined if any byte is outside printable ASCII. */
function cardText(bytes: Uint8Array, at: number): string | undefined {
  let text = ''
  for (let i = at; i < at + CARD_LENGTH; i++) {
    const byte = bytes[i]!
    if (byte < 0x20 || byte > 0x7e) return undefined
    text += String.fromCharCode(byte)
  }
  return text
}

/** Joins `CONTINUE` parts into the string card they extend (long-string convention, FITS 4.0 §4.2.1.2). */
class ContinueJoiner {
  private open: FitsCard | undefined

  add(card: FitsCard): void {
    if (card.kind === 'continue' && this.open !== undefined && typeof card.value === 'string') {
      const head = this.open.value as string
      this.open.value = head.slice(0, -1) + card.value
      if (card.comment !== '') {
        this.open.comment = this.open.comment === '' ? card.comment : `${this.open.comment} ${card.comment}`
      }
    } else if (card.kind === 'continue' || card.kind === 'commentary') {
      this.open = undefined
      return
    } else {
      this.open = card
    }
    if (!(typeof this.open.value === 'string' && this.open.value.endsWith('&'))) this.open = undefined
  }
}

function indexCards(cards: FitsCard[]): Map<string, FitsCard> {
  const map = new Map<string, FitsCard>()
  for (const card of cards) {
    if (card.kind === 'value' && !map.has(card.keyword)) map.set(card.keyword, card)
  }
  return map
}

/** The value of the first card with this keyword, or undefined if there is none. */
export function headerValue(header: FitsHeader, keyword: string): FitsValue | undefined {
  return header.byKeyword.get(keyword)?.value
}

export function headerString(header: FitsHeader, keyword: string): string | undefined {
  const value = headerValue(header, keyword)
  return typeof value === 'string' ? value : undefined
}

/** A real or integer value as a number (a bigint is rounded to the nearest double). */
export function headerNumber(header: FitsHeader, keyword: string): number | undefined {
  const value = headerValue(header, keyword)
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  return undefined
}

/** A non-negative integer keyword that sizes something: missing or malformed is CORRUPT_CHUNK. */
export function requireCount(header: FitsHeader, keyword: string, hdu: number, max: number): number {
  const card = header.byKeyword.get(keyword)
  if (card === undefined)
    throw fitsError('CORRUPT_CHUNK', { hdu, keyword, offset: header.start }, 'keyword missing')
  return checkCount(card, hdu, max)
}

/** Like requireCount, with a default when the keyword is absent. */
export function optionalCount(
  header: FitsHeader,
  keyword: string,
  hdu: number,
  max: number,
  fallback: number,
): number {
  const card = header.byKeyword.get(keyword)
  return card === undefined ? fallback : checkCount(card, hdu, max)
}

function checkCount(card: FitsCard, hdu: number, max: number): number {
  const place = { hdu, keyword: card.keyword, offset: card.offset }
  const { value } = card
  if (typeof value === 'bigint') {
    if (value < 0n) throw fitsError('CORRUPT_CHUNK', place, `negative value ${value}`)
    throw fitsError('LIMIT_EXCEEDED', place, `value ${value} is beyond ${max}`)
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw fitsError('CORRUPT_CHUNK', place, `expected an integer, found '${card.raw.slice(10, 30).trim()}'`)
  }
  if (value < 0) throw fitsError('CORRUPT_CHUNK', place, `negative value ${value}`)
  if (value > max) throw fitsError('LIMIT_EXCEEDED', place, `value ${value} is beyond ${max}`)
  return value
}
