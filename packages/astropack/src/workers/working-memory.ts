/**
 * Reusable working memory of a codec worker, by slot: filling fresh memory runs at only ~360 MB/s here.
 * Each worker runs one task at a time, and nothing returned to the caller lives in a slot.
 */
const slots = new Map<string, Uint8Array>()

export function slot(name: string, size: number): Uint8Array {
  let buffer = slots.get(name)
  if (!buffer || buffer.byteLength < size) {
    buffer = new Uint8Array(size)
    slots.set(name, buffer)
  }
  return buffer.subarray(0, size)
}

/** `buffer` cut into consecutive views of the given sizes (the columns of one group share a slot). */
export function views(buffer: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  let at = 0
  return sizes.map((size) => {
    at += size
    return buffer.subarray(at - size, at)
  })
}
