// The machine, the commit and the tools present: what BENCHMARKS.md records beside the numbers.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { capture, TIME_BIN } from './proc.mjs'

const require = createRequire(import.meta.url)

/** Executables (and the DuckDB module) each tool needs, with the Debian package that brings them. */
const PROVIDERS = {
  zstd: 'zstd',
  lz4: 'lz4',
  gzip: 'gzip',
  xz: 'xz-utils',
  fpack: 'libcfitsio-bin',
  funpack: 'libcfitsio-bin',
  h5repack: 'hdf5-tools',
  [TIME_BIN]: 'time',
}

function found(name) {
  if (name === '@duckdb/node-api') {
    try {
      require.resolve('@duckdb/node-api')
      return true
    } catch {
      return false
    }
  }
  if (name.startsWith('/')) return existsSync(name)
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

/** Which of the needed executables are missing; with install, apt-get installs their packages first. */
export function checkTools(needed, { install }) {
  let missing = [...new Set(needed)].filter((name) => !found(name))
  const packages = [...new Set(missing.map((name) => PROVIDERS[name]).filter(Boolean))]
  if (install && packages.length > 0) {
    console.error(`bench: installing ${packages.join(' ')} with apt-get`)
    spawnSync('apt-get', ['update'], { stdio: 'inherit' })
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit' })
    missing = missing.filter((name) => !found(name))
  }
  return missing.map((name) => ({
    name,
    how:
      name === '@duckdb/node-api'
        ? '`pnpm install` (devDependency of @astropack/bench)'
        : `apt-get install ${PROVIDERS[name] ?? name} (or pnpm bench --install)`,
  }))
}

export function gitCommit(root) {
  const head = capture('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])
  if (!head) return 'unknown (not a git checkout)'
  const dirty = capture('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'])
  return dirty ? `${head}-dirty` : head
}

function osName() {
  try {
    const line = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m)
    return `${line?.[1] ?? 'Linux'}, kernel ${release()}`
  } catch {
    return `${process.platform} ${release()}`
  }
}

export function machine(nodeForCli) {
  const cpu = cpus()
  return {
    cores: cpu.length,
    cpu: cpu[0]?.model ?? 'unknown',
    memoryGiB: (totalmem() / 1024 ** 3).toFixed(1),
    node: capture(nodeForCli, ['--version']) || process.version,
    os: osName(),
    load: loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
  }
}

export function toolVersions() {
  const first = (text) =>
    (text.split('\n').find((line) => line.trim()) ?? '').replace(/^\*+\s*|,? by Yann Collet|\s*\*+$/g, '')
  const versions = {
    zstd: first(capture('zstd', ['--version'])),
    lz4: first(capture('lz4', ['--version'], { anyStatus: true })),
    gzip: first(capture('gzip', ['--version'])),
    xz: first(capture('xz', ['--version'])),
    fpack: `fpack ${first(capture('fpack', ['-V'], { anyStatus: true }))}`,
    h5repack: first(capture('h5repack', ['--version'])),
  }
  try {
    versions.duckdb = `@duckdb/node-api ${require('@duckdb/node-api/package.json').version}`
  } catch {}
  return Object.fromEntries(Object.entries(versions).filter(([, v]) => v))
}
