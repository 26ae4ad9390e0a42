import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { format, packFolder, unpackPackage } from 'astropack' // built: its workers run compiled JavaScript
import { afterAll, expect } from 'vitest'

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A scratch folder for one test file, removed after its tests. */
export function scratchFolder(prefix: string): string {
  const work = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(work, { recursive: true, force: true }))
  return work
}

/**
 * Packs `dir` into `work` (two worker threads), unpacks it and checks every file against its original's
 * SHA-256; returns the package's path and a reader of it.
 */
export async function roundTrip(
  work: string,
  dir: string,
  name: string,
): Promise<{ reader: format.PackageReader; pkg: string }> {
  const pkg = join(work, `${name}.astropack`)
  await packFolder({ sourcePath: dir, outputPath: pkg, threads: 2 })
  const reader = await format.openPackage(format.fromBytes(readFileSync(pkg)))
  const out = join(work, `${name}-out`)
  await unpackPackage({ packPath: pkg, outputPath: out })
  for (const file of readdirSync(dir)) {
    expect(sha256(readFileSync(join(out, file))), file).toBe(sha256(readFileSync(join(dir, file))))
  }
  return { reader, pkg }
}
