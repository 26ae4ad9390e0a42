import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bytesSource, scanFits } from '@astropack/readers'

const TYPES_FITS = fileURLToPath(new URL('../../readers/test/fixtures/astropy-types.fits', import.meta.url))

/**
 * The astropy types table (3 rows, too small to be stored by column) with its rows repeated: same
 * header but NAXIS2, same heap (descriptors are heap offsets, unchanged), the other HDUs after it.
 */
export async function repeatTypesTable(copies: number): Promise<Uint8Array> {
  const file = new Uint8Array(readFileSync(TYPES_FITS))
  const hdu = (await scanFits(bytesSource(file))).hdus[1]!
  const rowBytes = hdu.axes[0]! * hdu.axes[1]!
  const rows = file.subarray(hdu.dataStart, hdu.dataStart + rowBytes)
  const heap = file.subarray(hdu.dataStart + rowBytes, hdu.dataEnd)
  const header = file.slice(0, hdu.dataStart)
  const naxis2 = hdu.header.byKeyword.get('NAXIS2')!.offset
  header.set(new TextEncoder().encode(String(hdu.axes[1]! * copies).padStart(20)), naxis2 + 10)
  const padded = Math.ceil((rowBytes * copies + heap.byteLength) / 2880) * 2880
  const rest = file.subarray(hdu.end)
  const out = new Uint8Array(header.byteLength + padded + rest.byteLength)
  out.set(header)
  for (let c = 0; c < copies; c++) out.set(rows, hdu.dataStart + c * rowBytes)
  out.set(heap, hdu.dataStart + rowBytes * copies)
  out.set(rest, hdu.dataStart + padded)
  return out
}
