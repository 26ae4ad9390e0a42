#!/usr/bin/env node
// The compiled code of the CLI's modules is kept on disk between runs (Node's compile cache, in the
// system's temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): start-up is most of a small
// file's pack. Enabled before the CLI's modules load, hence the dynamic import. node:module is imported
// whole so that an older Node reaches the version check below instead of failing to link.
import * as nodeModule from 'node:module'

// zstd in node:zlib, which every package codec needs, came in Node 22.15.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(`astropack: needs Node.js 22.15 or later; this is Node.js ${process.version}\n`)
  process.exit(1)
}
nodeModule.enableCompileCache?.()
await import('./cli.js')
