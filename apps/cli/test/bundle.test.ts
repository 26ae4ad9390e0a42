import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { astropack, CLI, SAMPLE } from './run-cli.js'

const work = mkdtempSync(join(tmpdir(), 'astropack-bundle-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const versionOf = (member: string) =>
  JSON.parse(readFileSync(new URL(`../../../packages/${member}/package.json`, import.meta.url), 'utf8'))
    .version

describe('the bundled command', () => {
  it('loads no workspace package module by module: they are in its bundle', () => {
    const pkg = join(work, 'psfield.astropack')
    const { urls } = loadedBy('pack', join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit'), '-o', pkg)
    expect(urls.filter((url) => url.includes('/dist/bundle/')).length).toBeGreaterThan(3)
    expect(urls.filter((url) => /\/packages\/[^/]+\/dist\//.test(url))).toEqual([])
  })

  it('checks a package quickly without loading what only hashing, workers or ZIP export need', () => {
    // Each costs every start milliseconds (node:crypto ~10, node:worker_threads ~5): loaded on first use.
    const pkg = join(work, 'psfield-quick.astropack')
    expect(astropack('pack', join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit'), '-o', pkg).status).toBe(0)
    const { urls, builtins } = loadedBy('validate', pkg)
    expect(builtins).toContain('zlib') // CRC-32: the list is read
    expect(builtins).not.toContain('crypto')
    expect(builtins).not.toContain('worker_threads')
    expect(urls.filter((url) => url.includes('/yazl/'))).toEqual([])
  })

  it('starts a codec worker from its own few files, without the manifest validator (ajv) or Arrow', () => {
    const bundle = join(CLI, '..')
    const graph = new Set<string>()
    const visit = (file: string) => {
      if (graph.has(file)) return
      graph.add(file)
      for (const [, next] of readFileSync(join(bundle, file), 'utf8').matchAll(
        /(?:from|import) "\.\/([^"]+)"/g,
      ))
        visit(next!)
    }
    visit('codec-worker.js')
    // Codecs, layouts, and the CSV reader's tokenizer and classifier (the manifest's column types).
    expect(graph.size).toBeLessThan(10)
    for (const file of graph) {
      const code = readFileSync(join(bundle, file), 'utf8')
      expect(code, file).not.toMatch(/\bajv\b/)
      expect(code, file).not.toMatch(/from "apache-arrow"/) // ~20 MiB and 50 ms a worker
    }
  })

  it("records the library packages' versions, not its own, in the manifest", () => {
    // Every package version is inlined while bundling: read at run time, a `package.json` path would be
    // resolved from the bundle's folder, the CLI's own (the packages are all at 0.1.0 today, so the
    // versions below alone would not tell).
    const bundle = join(CLI, '..')
    for (const file of readdirSync(bundle))
      expect(readFileSync(join(bundle, file), 'utf8'), file).not.toMatch(/package\.json/)
    const pkg = join(work, 'sample.astropack')
    expect(astropack('pack', SAMPLE, '-o', pkg).status).toBe(0)
    const manifest = JSON.parse(astropack('inspect', pkg, '--json').stdout).manifest
    expect(manifest.tool).toEqual({ name: 'astropack', version: versionOf('astropack') })
    const readers = new Set(manifest.tables.map((table: { reader: string }) => table.reader))
    expect(readers).toContain(`@astropack/readers ${versionOf('readers')}`)
    expect(readers).toContain(`astropack ${versionOf('astropack')}`) // its own text tables
  })

  it('exports HDF5 (h5wasm) and unpacks on workers (the codec worker is an entry of its own)', () => {
    const pkg = join(work, 'sample.astropack')
    const h5 = astropack('export', pkg, '--table', '9', '--to', 'hdf5', '-o', join(work, 't.h5'))
    expect(h5.status, h5.stderr).toBe(0)
    expect(readFileSync(join(work, 't.h5')).subarray(0, 8)).toEqual(
      Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'),
    )
    const out = join(work, 'out')
    const unpack = astropack('unpack', pkg, '-o', out, '--threads', '2')
    expect(unpack.status, unpack.stderr).toBe(0)
    expect(unpack.stdout).toMatch(/all SHA-256 verified/)
  })
})

/** The system's Node when it is older than the CLI supports (Debian 12 ships 18, these machines 20). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  const run = spawnSync(path, ['-p', 'process.versions.node'])
  const [major = 99, minor = 0] = run.status === 0 ? run.stdout.toString().split('.').map(Number) : []
  return major < 22 || (major === 22 && minor < 15)
})

describe.skipIf(OLD_NODE === undefined)('the bundled command on a Node older than 22.15', () => {
  it('says which Node it needs, and exits 1', () => {
    const run = spawnSync(OLD_NODE!, [CLI, '--version'])
    expect(run.stderr.toString()).toMatch(/^astropack: needs Node\.js 22\.15 or later; this is Node\.js v\d+/)
    expect(run.status).toBe(1)
  })
})

/**
 * Runs the CLI and reports what it loaded: every module file (a load hook) and every Node built-in
 * (`process.moduleLoadList`, which names them `NativeModule <id>`), as the process exits.
 */
function loadedBy(...args: string[]): { urls: string[]; builtins: string[] } {
  const hook = `
    import { registerHooks } from 'node:module'
    const urls = []
    registerHooks({ load: (url, context, next) => (urls.push(url), next(url, context)) })
    const builtins = () =>
      process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))
    process.on('exit', () =>
      process.stderr.write('\\nLOADED ' + JSON.stringify({ urls, builtins: builtins() }) + '\\n'))`
  const run = spawnSync(process.execPath, [
    '--import',
    `data:text/javascript,${encodeURIComponent(hook)}`,
    CLI,
    ...args,
  ])
  expect(run.status, run.stderr.toString()).toBe(0)
  return JSON.parse(/LOADED (.*)/.exec(run.stderr.toString())![1]!)
}
