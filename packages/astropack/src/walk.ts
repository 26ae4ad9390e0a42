import type { Dirent } from 'node:fs'
import { lstat, readdir, realpath, stat } from 'node:fs/promises'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { AstropackError, assertEntryPath } from '@astropack/format'

export interface SourceEntry {
  /** Entry name: relative to the source folder, '/'-separated. */
  path: string
  absolutePath: string
  kind: 'file' | 'directory'
  size: number
  mode: number
  mtimeMs: number
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

/**
 * Lists a folder to pack, depth first in name order (so packages are reproducible), or one file. Symlinks to files
 * inside the folder are packed as the file they point to; symlinks leading out, to folders, or to special
 * files are refused, as are names that could not be unpacked safely.
 */
export async function walkSource(sourcePath: string, exclude: string[] = []): Promise<SourceEntry[]> {
  const root = await realpath(sourcePath).catch((cause) => {
    throw new AstropackError(
      'NOT_FOUND',
      `cannot read source folder ${sourcePath}: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  })
  const rootStat = await stat(root)
  if (rootStat.isFile()) {
    // One file: packed alone, under its own name.
    const path = basename(root)
    assertEntryPath(path)
    const mode = rootStat.mode & 0o7777
    return [
      {
        path,
        absolutePath: root,
        kind: 'file',
        size: rootStat.size,
        mode,
        mtimeMs: Math.round(rootStat.mtimeMs),
      },
    ]
  }
  if (!rootStat.isDirectory()) throw new AstropackError('USAGE', `${sourcePath} is not a file or folder`)
  const excluded = new Set(exclude.map((path) => resolve(path)))
  const out: SourceEntry[] = []
  const visit = async (dir: string): Promise<void> => {
    const children: Dirent[] = await readdir(dir, { withFileTypes: true })
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const child of children) {
      const absolutePath = join(dir, child.name)
      if (excluded.has(absolutePath)) continue
      const path = relative(root, absolutePath).split(sep).join('/')
      assertEntryPath(path)
      let info = await lstat(absolutePath)
      if (info.isSymbolicLink()) {
        const target = await realpath(absolutePath).catch(() => undefined)
        if (!target) throw new AstropackError('IO', `symlink ${path} points to nothing (a broken link)`)
        if (!isInside(root, target)) {
          throw new AstropackError('UNSAFE_PATH', `symlink ${path} points outside the source folder`)
        }
        info = await stat(target)
        if (!info.isFile())
          throw new AstropackError('UNSAFE_PATH', `symlink ${path} does not point to a regular file`)
      }
      const base = { path, absolutePath, mode: info.mode & 0o7777, mtimeMs: Math.round(info.mtimeMs) }
      if (info.isDirectory()) {
        out.push({ ...base, kind: 'directory', size: 0 })
        await visit(absolutePath)
      } else if (info.isFile()) {
        out.push({ ...base, kind: 'file', size: info.size })
      } else {
        throw new AstropackError('UNSAFE_PATH', `${path} is not a regular file, folder or symlink`)
      }
    }
  }
  await visit(root)
  return out
}
