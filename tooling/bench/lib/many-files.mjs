// The many-files run: one folder of many small files (make-many-files.sh) through astropack pack /
// validate / validate --full / unpack, against a tar stream compressed by `zstd -3 -T2` and unpacked by
// `zstd -d | tar x`; every restored tree checked file by file by SHA-256. What it measures is what a file
// costs apart from its bytes.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { table } from './document.mjs'
import { clean, sha256File, stepLog, timed, warm } from './proc.mjs'
import { MB, num, spread, spreadText } from './stats.mjs'

/** Every regular file under dir: relative path -> { bytes, sha256 }. */
function tree(dir) {
  const files = new Map()
  const visit = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) visit(path)
      else if (entry.isFile())
        files.set(relative(dir, path), { bytes: statSync(path).size, sha256: sha256File(path) })
    }
  }
  visit(dir)
  return files
}

/** opts: { dir, work, node, cli, reps, zstd (available) } -> { input, steps, mismatches, packageBytes, tarZstBytes } */
export function runManyFiles(opts) {
  const dir = join(opts.work, 'many-files')
  clean(dir)
  mkdirSync(dir, { recursive: true })
  const input = tree(opts.dir)
  const bytes = [...input.values()].reduce((sum, file) => sum + file.bytes, 0)
  const timeFile = join(dir, 'time.txt')
  const pkg = join(dir, 'many.astropack')
  const tarZst = join(dir, 'many.tar.zst')
  const restored = join(dir, 'restored')
  const { steps, mismatches, record } = stepLog((run) => `${run.seconds.toFixed(2)} s`)
  const check = (name) => {
    const back = tree(restored)
    const wrong = [...input].filter(([path, file]) => back.get(path)?.sha256 !== file.sha256)
    if (wrong.length > 0 || back.size !== input.size)
      mismatches.push(
        `ROUND TRIP MISMATCH: ${name}: ${wrong.length} files differ, ${back.size} of ${input.size} back`,
      )
    console.error(
      `  ${name} round trip: ${wrong.length === 0 ? `${back.size} files identical` : '!!! MISMATCH !!!'}`,
    )
  }
  const ap = (...args) => [opts.node, opts.cli, ...args]
  const sh = (script) => ['sh', '-c', script]
  let packageBytes = 0
  let tarZstBytes = 0
  for (let rep = 0; rep < opts.reps; rep++) {
    console.error(`bench: many-files rep ${rep + 1}/${opts.reps}`)
    for (const path of input.keys()) warm(join(opts.dir, path))
    clean(pkg)
    record('astropack pack', timed(ap('pack', opts.dir, '-o', pkg), { timeFile }))
    packageBytes = existsSync(pkg) ? statSync(pkg).size : 0
    record('astropack validate', timed(ap('validate', pkg), { timeFile }))
    record('astropack validate --full', timed(ap('validate', pkg, '--full'), { timeFile }))
    clean(restored)
    record('astropack unpack', timed(ap('unpack', pkg, '-o', restored), { timeFile }))
    check('astropack')
    if (opts.zstd) {
      clean(tarZst)
      record('tar | zstd -3 -T2', timed(sh(`tar cf - -C '${opts.dir}' . | zstd -q -3 -T2 -o '${tarZst}'`)))
      tarZstBytes = existsSync(tarZst) ? statSync(tarZst).size : 0
      clean(restored)
      record(
        'zstd -d | tar x',
        timed(sh(`mkdir '${restored}' && zstd -q -d -c '${tarZst}' | tar xf - -C '${restored}'`)),
      )
      check('tar + zstd')
    }
  }
  clean(dir)
  return { files: input.size, bytes, steps, mismatches, packageBytes, tarZstBytes }
}

export function manyFilesReport(result, header, dir) {
  const rows = []
  for (const [name, runs] of result.steps) {
    const rss = name.startsWith('astropack')
      ? spreadText(spread(runs.map((r) => (r.rssKiB ?? Number.NaN) / 1024)))
      : ''
    rows.push([
      name.replaceAll('|', '\\|'), // a pipe inside a markdown table cell
      spreadText(spread(runs.map((r) => r.seconds))),
      spreadText(spread(runs.map((r) => result.files / r.seconds))),
      spreadText(spread(runs.map((r) => result.bytes / MB / r.seconds))),
      rss,
    ])
  }
  const head = ['step', 'seconds', 'files/s', 'MB/s', 'peak RSS MiB']
  const out = [header, '']
  out.push(
    `Input: \`${dir}\`, ${result.files} files, ${num(result.bytes / MB)} MB ` +
      `(${num(result.bytes / result.files / 1024)} KiB a file on average). Each step is one process, timed ` +
      'from start to exit; the tar peers run as one shell pipeline (no RSS).',
    '',
  )
  out.push(table(head, rows))
  out.push('')
  const ratio = (bytes) => (bytes ? num(result.bytes / bytes) : '–')
  out.push(
    `Package: ${result.packageBytes} bytes (ratio ${ratio(result.packageBytes)}); the tar stream through ` +
      `\`zstd -3 -T2\`: ${result.tarZstBytes || '–'} bytes (ratio ${ratio(result.tarZstBytes)}), which ` +
      'compresses across files where AstroPack compresses each file on its own (to read any one alone).',
    '',
  )
  if (result.mismatches.length > 0) for (const m of result.mismatches) out.push(`- **${m}**`)
  else
    out.push('Round trips: every restored file has the SHA-256 of its original (astropack and tar + zstd).')
  return out.join('\n')
}
