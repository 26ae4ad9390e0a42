import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type AstropackError, type Codec, type ErrorCode, isAstropackError } from '../src/index.js'

export const SAMPLE_DIR = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))

/** Real files of each kind the archiver meets: FITS images and tables, CSV, HDF5, text. */
export const SAMPLES = [
  'fits/sdo-aia171-level1-128.fits',
  'fits/wmap7-W-iqu-nside32.fits',
  'tables/jpl-sbdb-asteroids.csv',
  'tables/tycho2-07-first20000.h5',
  'docs/cds-ReadMe.txt',
] as const

export function samplePath(name: string): string {
  return SAMPLE_DIR + name
}

export function sample(name: string): Uint8Array {
  return new Uint8Array(readFileSync(samplePath(name)))
}

/** Every sample end to end: 3.1 MB. Repeated, it passes 4 MiB so lz4 writes several blocks. */
export function bigSample(minSize: number): Uint8Array {
  const parts = SAMPLES.map(sample)
  const out = new Uint8Array(minSize)
  for (let at = 0, i = 0; at < minSize; i++) {
    const part = parts[i % parts.length]!.subarray(0, minSize - at)
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

export function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)
}

export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (sameBytes(actual, expected)) return
  // Only on failure: a readable diff of the first bytes rather than a deep compare of megabytes.
  expect({ length: actual.byteLength, head: [...actual.subarray(0, 64)] }).toEqual({
    length: expected.byteLength,
    head: [...expected.subarray(0, 64)],
  })
  throw new Error('bytes differ')
}

/** Runs `fn` and returns the error it throws, failing unless it is a typed AstroPack error with `code`. */
export function expectCode(code: ErrorCode, fn: () => unknown): AstropackError {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  if (isAstropackError(thrown, code)) return thrown
  const got = thrown === undefined ? 'no error' : String(thrown)
  throw new Error(`expected AstropackError ${code}, got ${got}`, { cause: thrown })
}

export const INSTALL_HINT = "install Debian's zstd, lz4 and gzip packages: apt-get install zstd lz4 gzip"

const found = new Map<string, boolean>()

export function hasCli(tool: string): boolean {
  let ok = found.get(tool)
  if (ok === undefined) {
    ok = spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0
    found.set(tool, ok)
  }
  return ok
}

/**
 * describe() for tests that need real CLIs. Under CI a missing CLI fails them (the tools are part of the test
 * environment); elsewhere they are skipped and the title says why.
 */
export function describeWithCli(tools: string[], title: string, body: () => void): void {
  const missing = tools.filter((tool) => !hasCli(tool))
  if (missing.length === 0) {
    describe(title, body)
  } else if (process.env.CI) {
    describe(title, () => {
      it(`has ${missing.join(', ')}`, () => {
        throw new Error(`${missing.join(', ')} not found: ${INSTALL_HINT}`)
      })
      body()
    })
  } else {
    describe.skip(`${title} (skipped: ${missing.join(', ')} not installed; ${INSTALL_HINT})`, body)
  }
}

/** Runs a CLI with `input` on stdin and returns its stdout; throws with its stderr on failure. */
export function run(tool: string, args: string[], input?: Uint8Array): Uint8Array {
  const result = spawnSync(tool, args, { input, maxBuffer: 1 << 30 })
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${tool} not found: ${INSTALL_HINT}`)
  }
  if (result.error) throw result.error
  if (result.status !== 0)
    throw new Error(`${tool} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return new Uint8Array(result.stdout)
}

/** Deterministic bytes from a seed (xorshift32), so fast-check only has to shrink a seed and a size. */
export function noise(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed | 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x
  }
  return out
}

/**
 * The codec called the way packing and unpacking call it: encoding and decoding into reused buffers (the
 * path that drives one node:zlib engine per thread). Results are copied out, so they never alias.
 */
export function withReusedBuffers(codec: Codec, capacity = 8 << 20): Codec {
  const encodeInto = new Uint8Array(capacity + (capacity >> 7) + 1024)
  const decodeInto = new Uint8Array(capacity)
  return {
    ...codec,
    encode: (raw, level) =>
      raw.byteLength <= capacity ? codec.encode(raw, level, encodeInto).slice() : codec.encode(raw, level),
    decode: (stored, rawSize) =>
      codec.decode(stored, rawSize, rawSize <= capacity ? decodeInto : undefined).slice(),
  }
}

/** Each codec both ways: as called on its own, and into reused buffers. */
export const CALLS = [
  { via: 'fresh buffers', wrap: (codec: Codec) => codec },
  { via: 'reused buffers', wrap: (codec: Codec) => withReusedBuffers(codec) },
]
