// Bundles the compiled CLI with the workspace packages it runs (astropack, format, codecs, readers) into a
// few files under dist/bundle: loading ~150 modules one by one was most of a small file's run (a 31 KB
// FITS table packed in 0.10-0.16 s, 0.07-0.09 s bundled). Other dependencies stay imports, resolved from
// this package's own node_modules, so each must be one of its dependencies: checked here.
import { readFileSync, rmSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const cli = join(dirname(fileURLToPath(import.meta.url)), '..')
const own = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'))
const WORKSPACE = /^(@astropack\/|astropack(\/|$))/

/** The files a worker is started from (`new URL('./x.js', import.meta.url)`): entries of their own. */
const entries = {
  astropack: join(cli, 'dist/main.js'),
  'codec-worker': join(cli, '../../packages/astropack/dist/workers/codec-worker.js'),
  worker: join(cli, '../../packages/readers/dist/parquet/worker.js'),
}

/** `require('<x>/package.json').version` is the version of the package that ran it: inlined here. */
const inlineVersions = {
  name: 'inline-package-versions',
  transform(code, id) {
    const pattern = /(?:createRequire\(import\.meta\.url\)|require)\('([^']*package\.json)'\)\.version/g
    if (!pattern.test(code)) return undefined
    const from = createRequire(id)
    return code.replace(pattern, (_, path) =>
      JSON.stringify(JSON.parse(readFileSync(from.resolve(path), 'utf8')).version),
    )
  },
}

// Chunk names carry a content hash: without this, every rebuild would leave the last one's files behind.
rmSync(join(cli, 'dist/bundle'), { recursive: true, force: true })
const external = new Set()
await build({
  input: entries,
  platform: 'node',
  cwd: cli,
  plugins: [inlineVersions],
  external: (id, importer) => {
    if (id.startsWith('.') || id.startsWith('/') || id.startsWith('node:') || WORKSPACE.test(id)) return false
    if (!importer) return false
    external.add(id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0])
    return true
  },
  output: {
    dir: join(cli, 'dist/bundle'),
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  },
  logLevel: 'warn',
})

// Each must be a dependency of this package, at the version the workspace package that uses it asks for.
const wanted = new Map()
for (const member of ['astropack', 'codecs', 'format', 'readers']) {
  const { dependencies = {} } = JSON.parse(
    readFileSync(join(cli, '../../packages', member, 'package.json'), 'utf8'),
  )
  for (const [name, version] of Object.entries(dependencies))
    if (!WORKSPACE.test(name)) wanted.set(name, version)
}
const problems = [...external]
  .filter((name) => !builtinModules.includes(name))
  .filter(
    (name) =>
      own.dependencies?.[name] === undefined ||
      (wanted.has(name) && own.dependencies[name] !== wanted.get(name)),
  )
  .map((name) => `${name}@${wanted.get(name) ?? '?'}`)
if (problems.length > 0) {
  console.error(`bundle: ${own.name} must depend on ${problems.join(', ')}: the bundle imports them`)
  process.exit(1)
}
