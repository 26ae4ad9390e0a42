#!/usr/bin/env node
// The compiled code of the CLI's modules is kept on disk between runs (Node's compile cache, in the
// system's temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): start-up is most of a small
// file's pack. Enabled before the CLI's modules load, hence the dynamic import.
import { enableCompileCache } from 'node:module'

enableCompileCache()
await import('./cli.js')
