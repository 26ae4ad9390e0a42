import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bytesSource, scanFits } from '@astropack/readers'

const FIXTURES = '../../readers/test/fixtures/'
const TYPES_FITS = fileURLToPath(new URL(`${FIXTURES}astropy-types.fits`, import.meta.url))
/** Tycho-2 rows as a FITS ASCII table (TABLE), 40 rows: see the readers' fixtures README. */
export const TYCHO2_ASCII_FITS = fileURLToPath(new URL(`${FIXTURES}tycho2-ascii-table.fits`, import.meta.url))

/**
 * The astropy types table (3 rows, too small to be stored by column) with its rows repeated: same
 * header but NAXIS2, same heap (descriptors are heap offsets, unchanged), the other HDUs after it.
 */
export function repeatTypesTable(copies: number): Promise<Uint8Array> {
  return repeatTableRows(TYPES_FITS, copies)
}

/** A FITS file whose first table HDU has its rows repeated `copies` times (see repeatTypesTable). */
export async function repeatTableRows(path: string, copies: number): Promise<Uint8Array> {
  const file = new Uint8Array(readFileSync(path))
  const hdu = (await scanFits(bytesSource(file))).hdus.find(
    (h) => h.type === 'BINTABLE' || h.type === 'TABLE',
  )!
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
