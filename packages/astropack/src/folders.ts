import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AstropackError } from '@astropack/codecs'

/**
 * `mkdir -p`, as a typed error when it cannot be done. Not mkdir's `recursive` option: Node's loops
 * forever where a folder exists but a new one in it is "not found" (/proc, /sys), taking the parent's
 * EEXIST as leave to try the child again. Here a child that is not found once its parent exists is final.
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await makeFolders(path)
  } catch (cause) {
    const { code, message } = cause as NodeJS.ErrnoException
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : message
    throw new AstropackError('IO', `cannot create folder ${path}: ${why}`, { cause })
  }
}

async function makeFolders(path: string): Promise<void> {
  try {
    await mkdir(path)
    return
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException
    if (code === 'EEXIST' && (await stat(path)).isDirectory()) return
    if (code !== 'ENOENT' || dirname(path) === path) throw error
  }
  await makeFolders(dirname(path))
  await mkdir(path).catch(async (error: NodeJS.ErrnoException) => {
    // Made meanwhile by someone else: fine. Not found now that its parent exists: final.
    if (error.code !== 'EEXIST' || !(await stat(path)).isDirectory()) throw error
  })
}
