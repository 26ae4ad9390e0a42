// The README's first command ends here: pack the sample data shipped in fixtures/sample with the real
// CLI, validate the package (quick and full), unpack it to a temporary folder, and prove every file came
// back byte for byte.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'apps/cli/dist/bundle/astropack.js')
const sample = join(root, 'fixtures/sample')
const work = mkdtempSync(join(tmpdir(), 'astropack-demo-'))
const pkg = join(work, 'sample.astropack')
const out = join(work, 'unpacked')

function astropack(...args) {
  console.log(`\n$ astropack ${args.join(' ')}`)
  const run = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' })
  if (run.status !== 0) {
    console.error(`demo: astropack ${args[0]} failed with exit code ${run.status}`)
    process.exit(1)
  }
}

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(dir, path))
    .sort()
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex')

try {
  astropack('pack', sample, '-o', pkg, '--survey', 'astropack-sample')
  astropack('validate', pkg)
  astropack('validate', pkg, '--full')
  astropack('inspect', pkg)
  astropack('unpack', pkg, '-o', out)
  const original = files(sample)
  const restored = files(out)
  const same =
    original.length === restored.length &&
    original.every(
      (name, i) => restored[i] === name && sha256(join(sample, name)) === sha256(join(out, name)),
    )
  const input = original.reduce((sum, name) => sum + statSync(join(sample, name)).size, 0)
  const packed = statSync(pkg).size
  console.log('\nsummary')
  console.log(`  files          ${original.length} (FITS, CSV, HDF5, text) from fixtures/sample`)
  console.log(`  input          ${input} bytes`)
  console.log(`  package        ${packed} bytes (ratio ${(input / packed).toFixed(2)})`)
  console.log(`  byte for byte  ${same ? 'yes: every unpacked file has the original SHA-256' : 'NO'}`)
  if (!same) process.exitCode = 1
} finally {
  rmSync(work, { recursive: true, force: true })
}
