import { execFileSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const CHUNK_OPS = pathToFileURL(fileURLToPath(new URL('../dist/workers/chunk-ops.js', import.meta.url))).href

describe('codec workers', () => {
  it('load the table layouts without the reader (no ajv): each worker stays small', () => {
    const script = `
      import { registerHooks } from 'node:module'
      const seen = new Set()
      registerHooks({ resolve: (specifier, context, next) => {
        const resolved = next(specifier, context)
        seen.add(resolved.url)
        return resolved
      } })
      const ops = await import(${JSON.stringify(CHUNK_OPS)})
      const { loadCodec } = await import('@astropack/codecs')
      const rows = new Uint8Array(12_000).map((_, i) => i % 7)
      const into = new Uint8Array(20_000)
      const { parts } = ops.encodeRows(await loadCodec('zstd'), 3, rows, 12, [{ offset: 0, width: 4 }, { offset: 4, width: 8 }], ['probe', 'probe'], into)
      if (parts.length !== 2 || parts.some((part) => part.stored.buffer !== into.buffer)) throw new Error('frames not in into')
      process.stdout.write(JSON.stringify([...seen]))
    `
    const seen: string[] = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      }),
    )
    expect(seen.some((url) => url.includes('/format/dist/layouts.js'))).toBe(true)
    expect(seen.filter((url) => url.includes('ajv') || url.endsWith('/format/dist/index.js'))).toEqual([])
  })
})

const PLAN = pathToFileURL(fileURLToPath(new URL('../dist/layouts/plan.js', import.meta.url))).href
const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))

describe('planning a file', () => {
  it('types FITS and HDF5 files without loading Apache Arrow, h5wasm or ajv (start-up of every pack)', () => {
    const script = `
      import { registerHooks } from 'node:module'
      import { readFileSync, statSync } from 'node:fs'
      const seen = new Set()
      registerHooks({ resolve: (specifier, context, next) => {
        const resolved = next(specifier, context)
        seen.add(resolved.url)
        return resolved
      } })
      const { planFile } = await import(${JSON.stringify(PLAN)})
      const layouts = []
      for (const file of ['fits/wmap7-W-iqu-nside32.fits', 'tables/tycho2-07-first20000.h5']) {
        const path = ${JSON.stringify(SAMPLE)} + file
        const plan = await planFile(path, statSync(path).size, readFileSync(path).subarray(0, 2880))
        layouts.push(plan.filter((segment) => segment.layout !== 'bytes' || segment.candidates.length > 1).length)
      }
      process.stdout.write(JSON.stringify({ layouts, seen: [...seen] }))
    `
    const { layouts, seen } = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      }),
    ) as { layouts: number[]; seen: string[] }
    expect(layouts.every((typed) => typed > 0)).toBe(true) // both files were typed, so both readers ran
    expect(seen.some((url) => url.includes('/readers/dist/fits/index.js'))).toBe(true)
    expect(seen.some((url) => url.includes('/readers/dist/hdf5-layout/index.js'))).toBe(true)
    expect(seen.filter((url) => /apache-arrow|h5wasm|parquet-wasm|ajv\//.test(url))).toEqual([])
  })
})
