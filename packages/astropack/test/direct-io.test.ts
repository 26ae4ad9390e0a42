import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packFolder, unpackPackage } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { scratchFolder, sha256 } from './round-trip.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const work = scratchFolder('astropack-direct-io-')
const MiB = 1024 * 1024

/** Whether the scratch folder's file system takes O_DIRECT, asked of the system itself. */
function takesDirect(): boolean {
  const probe = join(work, 'probe')
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | (constants.O_DIRECT ?? Number.NaN)))
    return constants.O_DIRECT !== undefined
  } catch {
    return false
  } finally {
    rmSync(probe, { force: true })
  }
}

describe('large outputs past the page cache', () => {
  // Real bytes (the sample's FITS files) repeated past 64 MiB, and a small file beside them.
  const input = join(work, 'in')
  mkdirSync(input)
  const real = Buffer.concat(
    ['saao-1m-a8280271.fits', 'sdss-psField-003366-3-0110.fit'].map((f) =>
      readFileSync(join(SAMPLE, 'fits', f)),
    ),
  )
  const large = Buffer.concat(Array.from({ length: Math.ceil((66 * MiB) / real.byteLength) }, () => real))
  writeFileSync(join(input, 'large.bin'), large.subarray(0, 66 * MiB + 1234))
  writeFileSync(join(input, 'small.bin'), real.subarray(0, 5000))
  const direct = takesDirect()

  it('write packages and unpacked files that come back byte for byte, direct where the system allows', async () => {
    const pkg = join(work, 'direct.astropack')
    const packed = await packFolder({ sourcePath: input, outputPath: pkg })
    expect(packed.io).toBe(direct ? 'direct' : 'buffered')
    const out = join(work, 'out-direct')
    const unpacked = await unpackPackage({ packPath: pkg, outputPath: out })
    expect(unpacked.directFiles).toBe(direct ? 1 : 0) // the small file goes through the page cache
    for (const name of ['large.bin', 'small.bin']) {
      expect(sha256(readFileSync(join(out, name))), name).toBe(sha256(readFileSync(join(input, name))))
    }
  })

  it('go through the page cache when told to, into the same bytes', async () => {
    const pkg = join(work, 'buffered.astropack')
    const packed = await packFolder({ sourcePath: input, outputPath: pkg, directIo: false })
    expect(packed.io).toBe('buffered')
    const out = join(work, 'out-buffered')
    const unpacked = await unpackPackage({ packPath: pkg, outputPath: out, directIo: false })
    expect(unpacked.directFiles).toBe(0)
    expect(sha256(readFileSync(join(out, 'large.bin')))).toBe(sha256(readFileSync(join(input, 'large.bin'))))
  })
})
