import { createSha256, loadCodec } from '@astropack/codecs'
import { concatBytes } from '../src/bytes.js'
import { type Manifest, PackageWriter } from '../src/index.js'
import type { StoredCodecName } from '../src/spec.js'

export interface TestFile {
  path: string
  bytes: Uint8Array
  mode?: number
  mtimeMs?: number
}

export const testManifest = (extra: Partial<Manifest> = {}): Manifest => ({
  format: 'astropack',
  specVersion: '1.0',
  created: '2026-11-24T00:00:00.000Z',
  tool: { name: 'astropack-test', version: '0' },
  ...extra,
})

/** Writes a package in memory the way the packer does: fixed-size chunks, each encoded on its own. */
export async function writePackage(
  files: TestFile[],
  options: { codec?: StoredCodecName; level?: number; chunkSize?: number; directories?: string[] } = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  const writer = new PackageWriter({ write: async (bytes) => void parts.push(bytes.slice()) })
  const codec = await loadCodec(options.codec ?? 'zstd')
  const chunkSize = options.chunkSize ?? 4096
  for (const path of options.directories ?? []) writer.addDirectory({ path, mode: 0o755, mtimeMs: 0 })
  for (const file of files) {
    writer.beginFile({
      path: file.path,
      mode: file.mode ?? 0o644,
      mtimeMs: file.mtimeMs ?? 1_700_000_000_000,
    })
    const hash = createSha256()
    for (let at = 0; at < file.bytes.byteLength; at += chunkSize) {
      const raw = file.bytes.subarray(at, at + chunkSize)
      hash.update(raw)
      await writer.writeChunk({
        stored: codec.encode(raw, options.level),
        rawSize: raw.byteLength,
        codec: codec.name,
      })
    }
    writer.endFile(hash.digestHex())
  }
  await writer.finish(testManifest())
  return concatBytes(parts)
}

const fixtures = new URL('../../../fixtures/sample/', import.meta.url)

/** Real files from fixtures/sample (FITS, CSV, text). */
export async function sampleFiles(names: string[]): Promise<TestFile[]> {
  const { readFile } = await import('node:fs/promises')
  return Promise.all(
    names.map(async (path) => ({ path, bytes: new Uint8Array(await readFile(new URL(path, fixtures))) })),
  )
}

/** Byte equality without vitest's element-by-element deep compare (slow on megabytes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  )
}
