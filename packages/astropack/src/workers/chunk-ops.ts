import { applyTransforms, type Codec, crc32, invertTransforms, type TransformStep } from '@astropack/codecs'
import { type ColumnSlice, joinRows, splitRows } from '@astropack/format'

/** What the codec workers do, as plain functions (the worker only routes messages to them). */

/**
 * Reusable working memory, by slot: filling fresh memory runs at only ~360 MB/s here. Each worker runs one
 * task at a time, and nothing returned to the caller lives in a slot.
 */
const slots = new Map<string, Uint8Array>()
function slot(name: string, size: number): Uint8Array {
  let buffer = slots.get(name)
  if (!buffer || buffer.byteLength < size) {
    buffer = new Uint8Array(size)
    slots.set(name, buffer)
  }
  return buffer.subarray(0, size)
}

export interface EncodedPart {
  stored: Uint8Array
  codec: Codec['name']
  crc32: number
  /** Index of the chosen transform chain among the candidates. */
  chain: number
}

/**
 * Encodes one chunk with each candidate transform chain and keeps the smallest (the first when tied).
 * A result no smaller than the raw bytes is stored raw, with no transform.
 */
export function encodePart(
  codec: Codec,
  level: number,
  raw: Uint8Array,
  candidates: readonly TransformStep[][],
  into?: Uint8Array,
): EncodedPart {
  let best: { stored: Uint8Array; chain: number } | undefined
  for (const [chain, steps] of candidates.entries()) {
    const stored = codec.encode(
      applyTransforms(steps, raw),
      level,
      candidates.length === 1 ? into : undefined,
    )
    if (!best || stored.byteLength < best.stored.byteLength) best = { stored, chain }
  }
  if (!best || best.stored.byteLength >= raw.byteLength)
    return { stored: raw, codec: 'none', crc32: crc32(raw), chain: -1 }
  return { stored: best.stored, codec: codec.name, crc32: crc32(best.stored), chain: best.chain }
}

/** Splits a group of rows into columns and encodes each with its candidate chains. */
export function encodeRows(
  codec: Codec,
  level: number,
  rows: Uint8Array,
  rowWidth: number,
  columns: readonly ColumnSlice[],
  candidates: readonly TransformStep[][][],
): EncodedPart[] {
  return splitRows(rows, rowWidth, columns).map((column, c) =>
    encodePart(codec, level, column, candidates[c]!),
  )
}

export function decodePart(
  codec: Codec,
  stored: Uint8Array,
  rawSize: number,
  steps: readonly TransformStep[],
  into?: Uint8Array,
): Uint8Array {
  if (steps.length === 0) return codec.decode(stored, rawSize, into)
  return invertTransforms(steps, codec.decode(stored, rawSize))
}

export function decodeRows(
  parts: readonly { codec: Codec; stored: Uint8Array; rawSize: number; steps: readonly TransformStep[] }[],
  rowWidth: number,
  columns: readonly ColumnSlice[],
  rowCount: number,
  into?: Uint8Array,
): Uint8Array {
  const decoded = parts.map((part, c) =>
    decodePart(part.codec, part.stored, part.rawSize, part.steps, slot(`column ${c}`, part.rawSize)),
  )
  return joinRows(decoded, rowWidth, columns, rowCount, into)
}
