import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isAstropackError } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { bytesSource, imageInfo, readImage, scanFits } from '../src/index.js'
import { type CardSpec, concat, header, padded } from './helpers/build-fits.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')

describe('images', () => {
  it('reports BZERO/BSCALE and the unsigned convention without applying them by default', async () => {
    const source = bytesSource(readFileSync(join(fixtures, 'saao-1m-a8280271.fits')))
    const hdu = (await scanFits(source)).hdus[0]!
    expect(imageInfo(hdu)).toMatchObject({
      bitpix: 16,
      shape: [536, 520],
      bzero: 32768,
      bscale: 1,
      convention: 'uint16',
    })
    const raw = await readImage(source, hdu)
    const scaled = await readImage(source, hdu, { scale: true })
    expect(raw.data).toBeInstanceOf(Int16Array)
    expect(scaled.data).toBeInstanceOf(Uint16Array)
    expect(scaled.data[0]).toBe((raw.data[0] as number) + 32768)
  })

  it('reads a range of pixels', async () => {
    const source = bytesSource(readFileSync(join(fixtures, 'sdo-aia171-level1-128.fits')))
    const hdu = (await scanFits(source)).hdus[0]!
    const whole = await readImage(source, hdu)
    const row = await readImage(source, hdu, { start: 128 * 5, count: 128 })
    expect(row.data).toEqual(whole.data.subarray(128 * 5, 128 * 6))
    await expect(readImage(source, hdu, { start: 128 * 128, count: 1 })).rejects.toSatisfy((e) =>
      isAstropackError(e, 'USAGE'),
    )
  })

  it('refuses tables and random groups', async () => {
    const source = bytesSource(readFileSync(join(fixtures, 'wmap7-W-iqu-nside32.fits')))
    const scan = await scanFits(source)
    await expect(readImage(source, scan.hdus[1]!)).rejects.toSatisfy((e) => isAstropackError(e, 'USAGE'))
    const groups: CardSpec[] = [
      ['SIMPLE', true],
      ['BITPIX', -32],
      ['NAXIS', 2],
      ['NAXIS1', 0],
      ['NAXIS2', 3],
      ['GROUPS', true],
      ['PCOUNT', 2],
      ['GCOUNT', 4],
    ]
    const bytes = concat(header(groups), padded(new Uint8Array(4 * 4 * 5)))
    const hdu = (await scanFits(bytesSource(bytes))).hdus[0]!
    expect(hdu).toMatchObject({ randomGroups: true, dataEnd: 2880 + 80 })
    expect(() => imageInfo(hdu)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_FEATURE' }))
  })
})
