import { stat } from 'node:fs/promises'
import { type ByteSink, openPackage, openUrl, type PackageReader } from '@astropack/format'
import { openFile, withAtomicFile } from '@astropack/format/node'

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
 * Writes an output file under a temporary name, renamed only once `write` succeeded (a failed export
 * leaves nothing under the asked-for name); returns the bytes written.
 */
export function writeAtomically(
  outputPath: string,
  overwrite: boolean,
  write: (sink: ByteSink) => Promise<void>,
): Promise<number> {
  return withAtomicFile(outputPath, { overwrite }, async (out) => {
    let written = 0
    await write({
      write: (bytes) => {
        written += bytes.byteLength
        return out.write(bytes)
      },
    })
    return written
  })
}

/**
 * `writeAtomically` for writers that open the file by path themselves (the HDF5 library): `write`
 * gets the temporary name. Returns the size of the file written.
 */
export function writeAtomicallyAt(
  outputPath: string,
  overwrite: boolean,
  write: (path: string) => Promise<void>,
): Promise<number> {
  return withAtomicFile(outputPath, { overwrite }, async (out) => {
    await write(out.tempPath)
    return (await stat(out.tempPath)).size
  })
}
