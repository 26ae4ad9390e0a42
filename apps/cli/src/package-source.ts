import { type ByteSource, openPackage, openUrl, type PackageReader } from '@astropack/format'
import { openFile } from '@astropack/format/node'

/** Local path or http(s) URL: reading in part works the same on both. */
export async function openSource(location: string): Promise<ByteSource> {
  return /^https?:\/\//.test(location) ? openUrl(location) : openFile(location)
}

/** Opens a package (trailer and index only), runs `use`, and closes the source whatever happens. */
export async function withPackage<T>(
  location: string,
  use: (reader: PackageReader) => Promise<T>,
): Promise<T> {
  const source = await openSource(location)
  try {
    return await use(await openPackage(source))
  } finally {
    await source.close?.()
  }
}
