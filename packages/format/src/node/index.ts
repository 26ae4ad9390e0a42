/** Node-only parts of @astropack/format: local files. Browsers import '@astropack/format' alone. */
export { type AtomicFile, createAtomicFile, withAtomicFile } from './atomic-file.js'
export { DIRECT_MIN_BYTES, type WriteIo } from './direct-writer.js'
export { openFile } from './file-source.js'
