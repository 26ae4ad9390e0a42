import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { roundTrip, scratchFolder, sha256 } from './round-trip.js'

/**
 * Real files damaged the ways files get damaged (flipped bits, runs of one byte, cuts, bytes inserted or
 * dropped, digits of a text table changed into signs, points, exponents, quotes and line ends), packed and
 * unpacked: every one must come back byte for byte, through the workers and through the format's own
 * reader. Packing may type them or not; it must not fail, and what it writes must open. Seeded, so a
 * failure names the same files every run (a longer run of the same mutations found the metrics that JSON
 * turned into nulls).
 */
const SOURCES = [
  ...['fits', 'tables', 'docs'].flatMap((dir) => {
    const folder = fileURLToPath(new URL(`../../../fixtures/sample/${dir}/`, import.meta.url))
    return readdirSync(folder).map((name) => join(folder, name))
  }),
  ...['chunked.h5', 'mixed.h5'].map((name) =>
    fileURLToPath(new URL(`./fixtures/hdf5-tables/${name}`, import.meta.url)),
  ),
  ...['iers-eopc04-head.txt', 'kstars-stars-head.dat'].map((name) =>
    fileURLToPath(new URL(`../../readers/test/fixtures/fixed-width/${name}`, import.meta.url)),
  ),
]
const ROUNDS = 4
const FILES_PER_ROUND = 12

/** A small seeded generator (LCG): the same mutations on every run. */
function generator(seed: number): (n: number) => number {
  let state = seed
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648
    return Math.floor((state / 2147483648) * n)
  }
}

const TEXT_BYTES = Uint8Array.from('-.eE ,\t"\n\r0+9', (c) => c.charCodeAt(0))

function mutate(bytes: Uint8Array, pick: (n: number) => number): { bytes: Uint8Array; how: string } {
  const x = Uint8Array.from(bytes)
  const at = pick(x.byteLength)
  switch (pick(6)) {
    case 0:
      for (let i = 1 + pick(8); i > 0; i--) x[pick(x.byteLength)]! ^= 1 << pick(8)
      return { bytes: x, how: 'bits flipped' }
    case 1:
      x.fill(pick(256), at, at + 1 + pick(64))
      return { bytes: x, how: `a run of one byte at ${at}` }
    case 2:
      return { bytes: x.subarray(0, at), how: `cut at ${at}` }
    case 3: {
      const from = pick(x.byteLength)
      const inserted = x.subarray(from, from + 1 + pick(200))
      const out = new Uint8Array(x.byteLength + inserted.byteLength)
      out.set(x.subarray(0, at))
      out.set(inserted, at)
      out.set(x.subarray(at), at + inserted.byteLength)
      return { bytes: out, how: `${inserted.byteLength} bytes inserted at ${at}` }
    }
    case 4: {
      const dropped = Math.min(1 + pick(200), x.byteLength - at)
      const out = new Uint8Array(x.byteLength - dropped)
      out.set(x.subarray(0, at))
      out.set(x.subarray(at + dropped), at)
      return { bytes: out, how: `${dropped} bytes dropped at ${at}` }
    }
    default:
      for (let i = 1 + pick(20); i > 0; i--) {
        const j = pick(x.byteLength)
        if (x[j]! >= 48 && x[j]! <= 57) x[j] = TEXT_BYTES[pick(TEXT_BYTES.length)]!
      }
      return { bytes: x, how: 'digits changed' }
  }
}

const work = scratchFolder('astropack-mutated-')

describe('damaged real files', () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`come back byte for byte (round ${round + 1} of ${ROUNDS}, ${FILES_PER_ROUND} files)`, async () => {
      const pick = generator(20261126 + round)
      const dir = join(work, `round-${round}`)
      mkdirSync(dir)
      const made: Record<string, string> = {}
      for (let i = 0; i < FILES_PER_ROUND; i++) {
        const source = SOURCES[pick(SOURCES.length)]!
        const { bytes, how } = mutate(new Uint8Array(readFileSync(source)), pick)
        const name = `${i}-${source.split('/').pop()}`
        writeFileSync(join(dir, name), bytes)
        made[name] = how
      }
      const { reader } = await roundTrip(work, dir, `round-${round}`) // checks every file's SHA-256
      for (const name of Object.keys(made)) {
        const direct = await reader.readEntry(name)
        expect(sha256(direct), `${name}: ${made[name]}`).toBe(sha256(readFileSync(join(dir, name))))
      }
    })
  }
})
