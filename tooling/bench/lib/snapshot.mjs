// A private copy of the built CLI and the workspace packages it loads (package.json + dist, with their
// node_modules links), so a long run measures ONE build even while others rebuild dist/ in the work tree.
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs'
import { join, relative } from 'node:path'

const MEMBERS = ['apps', 'packages']

/** Recreates the symbolic links (relative, as pnpm makes them) of a package's node_modules. */
function copyLinks(from, to) {
  if (!existsSync(from)) return
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(from)) {
    const path = join(from, name)
    const stat = lstatSync(path)
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(path), join(to, name))
    else if (name.startsWith('@') && stat.isDirectory()) copyLinks(path, join(to, name))
  }
}

/** Copies every workspace member's package.json and dist under dest; returns { cli, buildHash }. */
export function snapshotBuild(root, dest) {
  mkdirSync(dest, { recursive: true })
  symlinkSync(join(root, 'node_modules'), join(dest, 'node_modules'))
  const hash = createHash('sha256')
  for (const group of MEMBERS) {
    if (!existsSync(join(root, group))) continue
    for (const name of readdirSync(join(root, group)).sort()) {
      const from = join(root, group, name)
      const to = join(dest, group, name)
      if (!existsSync(join(from, 'package.json'))) continue
      mkdirSync(to, { recursive: true })
      cpSync(join(from, 'package.json'), join(to, 'package.json'))
      if (existsSync(join(from, 'dist'))) cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true })
      copyLinks(join(from, 'node_modules'), join(to, 'node_modules'))
    }
  }
  for (const file of readdirSync(dest, { recursive: true }).sort()) {
    const path = join(dest, file)
    if (!file.includes('node_modules') && file.includes(`dist`) && lstatSync(path).isFile()) {
      hash.update(relative(dest, path)).update(readFileSync(path))
    }
  }
  return { cli: join(dest, 'apps/cli/dist/bundle/astropack.js'), buildHash: hash.digest('hex').slice(0, 12) }
}
