import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createAtomicFile } from '../src/node/atomic-file.js'
import { createWriter, DirectWriter, STAGING_BLOCK, stagingBlocks } from '../src/node/direct-writer.js'
import { sampleFiles } from './helpers.js'

const work = mkdtempSync(join(tmpdir(), 'astropack-direct-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Whether this folder's file system takes O_DIRECT, asked of the system itself. */
function takesDirect(folder: string): boolean {
  if (constants.O_DIRECT === undefined) return false
  const probe = join(folder, 'probe')
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT))
    return true
  } catch {
    return false
  } finally {
    rmSync(probe, { force: true })
  }
}

// Real bytes (the sample's FITS images and tables, then two text files): their length is odd, so a block
// written twice or out of place differs from the bytes that belong there.
const real = Buffer.concat(
  (
    await sampleFiles([
      'fits/saao-1m-a8280271.fits',
      'fits/sdss-psField-003366-3-0110.fit',
      'fits/wmap7-W-iqu-nside32.fits',
      'docs/cds-ReadMe.txt',
      'docs/irsa-m31.vot.xml',
    ])
  ).map((file) => file.bytes),
)

/** `length` bytes of the sample, cycled, starting `seed` bytes in. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let at = 0, from = seed % real.byteLength; at < length; from = 0) {
    const piece = real.subarray(from, from + length - at)
    bytes.set(piece, at)
    at += piece.byteLength
  }
  return bytes
}

/** `total` bytes cut into writes of the given sizes (the last takes what is left). */
function cut(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = []
  let at = 0
  for (const size of sizes) {
    if (at >= bytes.byteLength) break
    pieces.push(bytes.subarray(at, at + size))
    at += size
  }
  if (at < bytes.byteLength) pieces.push(bytes.subarray(at))
  return pieces
}

const MiB = 1024 * 1024
const expectedIo = takesDirect(work) ? 'direct' : 'buffered'

describe('direct writes', () => {
  it('write every byte in place, whatever the sizes of the writes', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        // Any length, and lengths just around whole staging blocks and O_DIRECT's 4096-byte units.
        fc.oneof(
          fc.nat(13 * MiB),
          fc
            .tuple(fc.nat(12), fc.constantFrom(0, 1, 4095, 4096, 4097, 8191, 8192, STAGING_BLOCK - 1))
            .map(([blocks, rest]) => blocks * STAGING_BLOCK + rest),
        ),
        fc.array(fc.oneof(fc.nat(5000), fc.nat(6 * MiB)), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        async (total, sizes, seed) => {
          const path = join(work, `file-${run++}`)
          const bytes = pattern(total, seed)
          const writer = await createWriter(path, 0o644, true)
          for (const piece of cut(bytes, sizes)) await writer.write(piece)
          await writer.close()
          expect(writer.io).toBe(expectedIo)
          expect(Buffer.compare(readFileSync(path), bytes)).toBe(0)
          rmSync(path)
        },
      ),
      { numRuns: 24 },
    )
  })

  it('go on through the page cache when the system refuses a direct write', async () => {
    const path = join(work, 'misaligned')
    const bytes = pattern(9 * MiB + 123, 7)
    // Staging blocks one byte past alignment: O_DIRECT refuses their writes (EINVAL).
    const writer = await createWriter(path, 0o644, true, 1)
    for (const piece of cut(bytes, [MiB, 3 * MiB, 5000])) await writer.write(piece)
    await writer.close()
    expect(writer.io).toBe(expectedIo === 'direct' ? 'direct, then buffered' : 'buffered')
    expect(Buffer.compare(readFileSync(path), bytes)).toBe(0)
  })

  // The kernel may write less than asked. Which case comes is the system's choice, so each is made here:
  // a real O_DIRECT handle whose writes take a part of what they are given, the rest left to the writer.
  it.skipIf(expectedIo !== 'direct').each([
    ['in 4096-byte units (the rest goes on direct)', 'aligned'],
    ['ending off a 4096-byte unit (the rest of the block through the page cache)', 'unaligned'],
    ['of nothing (the rest of the block through the page cache)', 'nothing'],
  ] as const)('finish every block when a write is short, %s', async (_, short) => {
    const path = join(work, `short-${short}`)
    const bytes = pattern(4 * MiB + 5000, 11)
    const direct = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT,
    )
    const plain = await open(path, 'r+')
    let shortened = 0
    const write = async (buffer: Uint8Array, offset: number, length: number, position: number) => {
      const whole = () => direct.write(buffer, offset, length, position)
      if (shortened++ % 2 === 1 || length <= 2 * 4096) return whole()
      if (short === 'nothing') return { bytesWritten: 0, buffer }
      const aligned = length - 2 * 4096
      await direct.write(buffer, offset, aligned, position)
      if (short === 'aligned') return { bytesWritten: aligned, buffer }
      // 100 bytes past a 4096-byte unit, as a file system might take them: written, and counted.
      await plain.write(buffer, offset + aligned, 100, position + aligned)
      return { bytesWritten: aligned + 100, buffer }
    }
    const handle = new Proxy(direct, {
      get: (target, key) => (key === 'write' ? write : Reflect.get(target, key, target)),
    }) as FileHandle
    const writer = new DirectWriter(path, handle, stagingBlocks(0)!)
    for (const piece of cut(bytes, [3 * MiB, 77, MiB])) await writer.write(piece)
    await writer.close()
    await plain.close()
    expect(shortened).toBeGreaterThan(2)
    expect(writer.io).toBe('direct')
    expect(Buffer.compare(readFileSync(path), bytes)).toBe(0)
  })

  it('give a package its name only once committed, and leave nothing when aborted', async () => {
    const bytes = pattern(5 * MiB + 77, 3)
    const kept = await createAtomicFile(join(work, 'kept.astropack'), { direct: true })
    await kept.write(bytes)
    await kept.commit()
    expect(kept.io).toBe(expectedIo)
    expect(Buffer.compare(readFileSync(join(work, 'kept.astropack')), bytes)).toBe(0)

    const dropped = await createAtomicFile(join(work, 'dropped.astropack'), { direct: true })
    await dropped.write(bytes)
    await dropped.abort()
    expect(readdirSync(work).filter((name) => name.includes('dropped'))).toEqual([])
  })

  it('are not used unless asked for', async () => {
    const plain = await createAtomicFile(join(work, 'plain.bin'))
    await plain.write(pattern(100, 1))
    await plain.commit()
    expect(plain.io).toBe('buffered')
  })
})
