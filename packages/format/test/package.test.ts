import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
// Specifiers of import/export statements and dynamic imports (statements start a line in compiled output).
const IMPORT = /(?:^(?:import|export)\b[^'"\n]*\bfrom\s*|^import\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/gm

/** The packages and built-ins a built entry reaches through its relative imports. */
function importsOf(entry: string): Set<string> {
  const seen = new Set<string>()
  const external = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!))
      else external.add(specifier!)
    }
  }
  visit(resolve(ROOT, entry))
  return external
}

describe('@astropack/format package', () => {
  it('locks the export map: a platform-neutral main entry, the table layouts alone, Node-only files behind ./node', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'))
    expect(pkg.exports).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './layouts': { types: './dist/layouts.d.ts', default: './dist/layouts.js' },
      './node': { types: './dist/node/index.d.ts', node: './dist/node/index.js' },
    })
  })

  it('keeps the layouts entry free of the reader: no ajv, no node: built-ins (codec workers load it)', () => {
    expect([...importsOf('dist/layouts.js')]).toEqual(['@astropack/codecs'])
  })

  it('keeps node: built-ins out of the main entry, so browsers can read packages', () => {
    const external = [...importsOf('dist/index.js')]
    expect(external.filter((name) => name.startsWith('node:'))).toEqual([])
    // The manifest validator is compiled ahead of time: ajv-formats' date-time check is all it loads.
    expect(external.sort()).toEqual(['@astropack/codecs', 'ajv-formats/dist/formats.js'])
    expect(
      [...importsOf('dist/node/index.js')].filter((name) => name.startsWith('node:')).length,
    ).toBeGreaterThan(0)
  })
})
