import { execFileSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

// Runs against the build (turbo runs `build` before `test`): a fresh Node process, so nothing is cached.
const ENTRY = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href
const HDF5 = fileURLToPath(new URL('./fixtures/hdf5/compound.h5', import.meta.url))
const PARQUET = fileURLToPath(
  new URL('./fixtures/same-catalog/tycho2-07-first20000.parquet', import.meta.url),
)

/** Imports the package entry, runs `use` (JS with the module as `readers`), and lists the WebAssembly packages loaded. */
function wasmLoaded(use: string): string[] {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = new Set()
    registerHooks({ resolve: (specifier, context, next) => {
      const resolved = next(specifier, context)
      seen.add(resolved.url)
      return resolved
    } })
    const readers = await import(${JSON.stringify(ENTRY)})
    ${use}
    const packages = [...seen].map((url) => url.match(/node_modules\\/(h5wasm|parquet-wasm)\\//)?.[1]).filter(Boolean)
    process.stdout.write(JSON.stringify([...new Set(packages)]))
  `
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  )
}

describe('the WebAssembly readers load on first use only', () => {
  it('importing @astropack/readers loads neither h5wasm nor parquet-wasm', () => {
    expect(wasmLoaded('')).toEqual([])
  })

  it('scanHdf5 loads h5wasm, readParquetInfo parquet-wasm', () => {
    expect(wasmLoaded(`await readers.scanHdf5(${JSON.stringify(HDF5)})`)).toEqual(['h5wasm'])
    expect(wasmLoaded(`await readers.readParquetInfo(${JSON.stringify(PARQUET)})`)).toEqual(['parquet-wasm'])
  })
})
