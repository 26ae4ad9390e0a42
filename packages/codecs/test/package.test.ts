import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DIST = join(ROOT, 'dist')
/** Only the browser build may load these: wasm zstd and fflate. */
const BROWSER_ONLY = ['@bokuweb/zstd-wasm', 'zstddec', 'fflate']

/** Static imports, re-exports and dynamic import() of string literals: all that tsc emits here. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g

/** Every file reachable from `entry`, and every package or built-in they import. */
function moduleGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!))
      else
        packages.add(
          specifier!
            .split('/')
            .slice(0, specifier!.startsWith('@') ? 2 : 1)
            .join('/'),
        )
    }
  }
  visit(entry)
  return { files: [...files].map((file) => relative(DIST, file)).sort(), packages }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file))
}

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

  it('locks the export map: types, then browser, then default', () => {
    expect(pkg.exports).toEqual({
      '.': { types: './dist/index.d.ts', browser: './dist/index.browser.js', default: './dist/index.js' },
    })
    // Conditions match in key order, so "browser" must come before "default".
    expect(Object.keys(pkg.exports['.'])).toEqual(['types', 'browser', 'default'])
  })

  it('depends on the browser codecs at run time, not only for tests', () => {
    for (const name of [...BROWSER_ONLY, 'lz4-napi']) expect(pkg.dependencies).toHaveProperty(name)
  })
})

describe('built module graphs', () => {
  beforeAll(() => {
    if (!existsSync(join(DIST, 'index.js'))) throw new Error('dist/ is missing: run `pnpm build` first')
    // tsc -b skips unchanged outputs, so mtimes cannot tell staleness; a source without output can.
    const unbuilt = sourceFiles(join(ROOT, 'src')).filter(
      (source) => !existsSync(join(DIST, relative(join(ROOT, 'src'), source).replace(/\.ts$/, '.js'))),
    )
    if (unbuilt.length) throw new Error(`dist/ lacks ${unbuilt.join(', ')}: run \`pnpm build\` first`)
  })

  it('the Node entry never imports the wasm or fflate packages', () => {
    const { files, packages } = moduleGraph(join(DIST, 'index.js'))
    // The walker follows the registry's dynamic imports into every codec.
    expect(files).toEqual(
      expect.arrayContaining(['zstd.js', 'gzip.js', 'none.js', 'lz4/lz4.js', 'lz4/frame.js']),
    )
    expect(packages).toContain('lz4-napi')
    for (const name of BROWSER_ONLY) expect(packages, name).not.toContain(name)
    expect(files.filter((file) => file.includes('.browser.'))).toEqual([])
  })

  it('the browser entry reaches its codecs and never node: built-ins or the native addon', () => {
    const { files, packages } = moduleGraph(join(DIST, 'index.browser.js'))
    expect(files).toEqual(
      expect.arrayContaining(['zstd.browser.js', 'gzip.browser.js', 'lz4/lz4.browser.js']),
    )
    for (const name of BROWSER_ONLY) expect(packages).toContain(name)
    expect([...packages].filter((name) => name.startsWith('node:') || name === 'lz4-napi')).toEqual([])
  })

  it('loading and using every Node codec resolves none of them (checked with a module hook)', () => {
    const script = `
      import { registerHooks } from 'node:module'
      const seen = new Set()
      registerHooks({ resolve: (specifier, context, next) => (seen.add(specifier), next(specifier, context)) })
      const api = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)})
      const raw = new Uint8Array(5000).fill(42)
      for (const name of api.codecNames) {
        const codec = await api.loadCodec(name)
        if (codec.decode(codec.encode(raw), raw.length).length !== raw.length) throw new Error(name)
      }
      process.stdout.write(JSON.stringify([...seen]))
    `
    const seen: string[] = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    )
    expect(seen).toEqual(expect.arrayContaining(['lz4-napi', 'node:zlib']))
    expect(seen.filter((specifier) => BROWSER_ONLY.some((name) => specifier.startsWith(name)))).toEqual([])
  })
})
