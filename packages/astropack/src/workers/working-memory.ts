/**
 * Reusable working memory of a codec worker, by slot: filling fresh memory runs at only ~360 MB/s here.
 * Each worker runs one task at a time, and nothing returned to the caller lives in a slot.
 */
const slots = new Map<string, Uint8Array>()
const MiB = 1024 * 1024

export function slot(name: string, size: number): Uint8Array {
  let buffer = slots.get(name)
  if (!buffer || buffer.byteLength < size) {
    // Whole MiBs: sizes creep up from group to group (a corpus unpack grew its slots 29 times, 56 MB).
    buffer = new Uint8Array(Math.ceil(size / MiB) * MiB)
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
