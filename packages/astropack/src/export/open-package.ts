import { stat } from 'node:fs/promises'
import { type ByteSink, openPackage, openUrl, type PackageReader } from '@astropack/format'
import { type AtomicFile, createAtomicFile, openFile } from '@astropack/format/node'

/** Opens a package at a local path or an http(s) URL, runs `use`, and closes it whatever happens. */
export async function withPackage<T>(
  location: string,
  use: (reader: PackageReader) => Promise<T>,
): Promise<T> {
  const source = /^https?:\/\//.test(location) ? await openUrl(location) : await openFile(location)
  try {
    return await use(await openPackage(source, { checkHeader: true }))
  } finally {
    await source.close?.()
  }
}

/**
 * Writes an output file under a temporary name and renames it only when `write` succeeded, so a failed
 * or interrupted export never leaves a partial file under the asked-for name. Returns the bytes written.
 */
export async function writeAtomically(
  outputPath: string,
  overwrite: boolean,
  write: (sink: ByteSink) => Promise<void>,
): Promise<number> {
  const out: AtomicFile = await createAtomicFile(outputPath, { overwrite })
  let written = 0
  try {
    await write({
      write: (bytes) => {
        written += bytes.byteLength
        return out.write(bytes)
      },
    })
    await out.commit()
  } catch (error) {
    await out.abort()
    throw error
  }
  return written
}

/**
 * `writeAtomically` for writers that open the file by path themselves (the HDF5 library): `write`
 * gets the temporary name. Returns the size of the file written.
 */
export async function writeAtomicallyAt(
  outputPath: string,
  overwrite: boolean,
  write: (path: string) => Promise<void>,
): Promise<number> {
  const out: AtomicFile = await createAtomicFile(outputPath, { overwrite })
  let bytes: number
  try {
    await write(out.tempPath)
    bytes = (await stat(out.tempPath)).size
    await out.commit()
  } catch (error) {
    await out.abort()
    throw error
  }
  return bytes
}
