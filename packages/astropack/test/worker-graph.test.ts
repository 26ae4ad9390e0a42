import { execFileSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const CHUNK_OPS = pathToFileURL(fileURLToPath(new URL('../dist/workers/chunk-ops.js', import.meta.url))).href
const PLAN = pathToFileURL(fileURLToPath(new URL('../dist/layouts/plan.js', import.meta.url))).href
const SOURCE_FILE = pathToFileURL(fileURLToPath(new URL('../dist/source-file.js', import.meta.url))).href
const BUFFER_POOL = pathToFileURL(fileURLToPath(new URL('../dist/buffer-pool.js', import.meta.url))).href
const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))

/**
 * Runs `body` (an ES module body that sets `result`) in a fresh Node process; returns `result` and the URL
 * of every module the process resolved.
 */
function withModuleGraph<T>(body: string): { result: T; modules: string[] } {
  const script = `
    import { registerHooks } from 'node:module'
    const modules = new Set()
    registerHooks({ resolve: (specifier, context, next) => {
      const resolved = next(specifier, context)
      modules.add(resolved.url)
      return resolved
    } })
    let result
    ${body}
    process.stdout.write(JSON.stringify({ result, modules: [...modules] }))
  `
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    }),
  )
}

describe('codec workers', () => {
  it('load the table layouts without the reader (no ajv): each worker stays small', () => {
    const { modules } = withModuleGraph(`
      const ops = await import(${JSON.stringify(CHUNK_OPS)})
      const { loadCodec } = await import('@astropack/codecs')
      const rows = new Uint8Array(12_000).map((_, i) => i % 7)
      const into = new Uint8Array(20_000)
      const columns = [{ offset: 0, width: 4 }, { offset: 4, width: 8 }]
      const { parts } = ops.encodeRows(await loadCodec('zstd'), { level: 3, data: rows, rowWidth: 12, columns, candidates: ['probe', 'probe'], into })
      if (parts.length !== 2 || parts.some((part) => part.stored.buffer !== into.buffer)) throw new Error('frames not in into')
    `)
    expect(modules.some((url) => url.includes('/format/dist/layouts.js'))).toBe(true)
    expect(modules.filter((url) => url.includes('ajv') || url.endsWith('/format/dist/index.js'))).toEqual([])
  })
})

describe('planning a file', () => {
  it('types FITS and HDF5 files without loading Apache Arrow, h5wasm or ajv (start-up of every pack)', () => {
    const { result: layouts, modules } = withModuleGraph<number[]>(`
      const { statSync } = await import('node:fs')
      const { planFile } = await import(${JSON.stringify(PLAN)})
      const { SourceFile } = await import(${JSON.stringify(SOURCE_FILE)})
      const { BufferPool } = await import(${JSON.stringify(BUFFER_POOL)})
      result = []
      for (const file of ['fits/wmap7-W-iqu-nside32.fits', 'tables/tycho2-07-first20000.h5']) {
        const absolutePath = ${JSON.stringify(SAMPLE)} + file
        const entry = { path: file, absolutePath, kind: 'file', size: statSync(absolutePath).size, mode: 0o644, mtimeMs: 0 }
        const source = await SourceFile.open(entry, new BufferPool())
        const plan = await planFile(source, source.head(2880))
        await source.close()
        result.push(plan.filter((segment) => segment.layout !== 'bytes' || segment.candidates.length > 1).length)
      }
    `)
    expect(layouts.every((typed) => typed > 0)).toBe(true) // both files were typed, so both readers ran
    expect(modules.some((url) => url.includes('/readers/dist/fits/index.js'))).toBe(true)
    expect(modules.some((url) => url.includes('/readers/dist/hdf5-layout/index.js'))).toBe(true)
    expect(modules.filter((url) => /apache-arrow|h5wasm|parquet-wasm|ajv\//.test(url))).toEqual([])
  })
})
