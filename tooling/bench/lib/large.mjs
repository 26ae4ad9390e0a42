// The large-input run: one big FITS binary table (real rows repeated, see make-large-fits.mjs) through
// astropack pack / validate / validate --full / unpack with the peak RSS of each process, the round trip
// checked by SHA-256, and `zstd -3 -T2` / `zstd -d` on the same file for reference, and `cat` copying
// the input: what writing this many bytes costs the machine at all, the floor under any unpack.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeLargeFits } from '../make-large-fits.mjs'
import { table } from './document.mjs'
import { clean, sha256File, stepLog, timed, warm } from './proc.mjs'
import { MB, MiB, num, spread, spreadText } from './stats.mjs'

const RSS_GOAL_MIB = 256

/**
 * Seconds to wait before each step that writes gigabytes. On a VM with free-page reporting (virtio
 * balloon) memory freed by the last step's `rm` goes back to the host within 2-6 s, and a page the
 * guest then touches again costs a host fault: 1 GiB written to a new file took 0.2-0.6 s right
 * after an rm and 1.3-2.0 s 4-6 s later. Waiting puts every writer in the second case, whatever ran
 * before it.
 */
const SETTLE_SECONDS = 8
const settle = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_SECONDS * 1000)

/** Reuses a table built before in the same --work folder when its size and recorded SHA-256 match. */
function buildInput({ source, sizeBytes, dir }) {
  const file = join(dir, 'large-table.fits')
  const note = `${file}.json`
  if (existsSync(file) && existsSync(note)) {
    const made = JSON.parse(readFileSync(note, 'utf8'))
    if (made.target === sizeBytes && made.source === source && statSync(file).size === made.bytes) {
      console.error(`bench: reusing ${file}`)
      return { file, made, buildSeconds: null }
    }
  }
  console.error(`bench: building a ${num(sizeBytes / MiB)} MiB FITS table from ${source}`)
  const start = process.hrtime.bigint()
  const made = { ...makeLargeFits(source, file, sizeBytes), target: sizeBytes, source }
  writeFileSync(note, JSON.stringify(made))
  return { file, made, buildSeconds: Number(process.hrtime.bigint() - start) / 1e9 }
}

/** opts: { source, sizeBytes, work, threads, node, cli, reps, zstd (available) } -> { rows, made, ... } */
export function runLarge(opts) {
  const dir = join(opts.work, 'large')
  const inDir = join(dir, 'in')
  mkdirSync(inDir, { recursive: true })
  const { file, made, buildSeconds } = buildInput({ ...opts, dir: inDir })
  const timeFile = join(dir, 'time.txt')
  const pkg = join(dir, 'large.astropack')
  const restored = join(dir, 'restored')
  const { steps, mismatches, record } = stepLog((run) => {
    const rss = run.rssKiB ? `${num(run.rssKiB / 1024)} MiB` : '?'
    return `${run.seconds.toFixed(1)} s, ${num(made.bytes / MB / run.seconds)} MB/s, RSS ${rss}`
  })
  const check = (name, path) => {
    const sha = existsSync(path) ? sha256File(path) : 'missing'
    const same = sha === made.sha256
    if (!same) mismatches.push(`ROUND TRIP MISMATCH: ${name}: sha256 ${sha} != ${made.sha256}`)
    console.error(`  ${name} round trip: ${same ? 'identical SHA-256' : '!!! MISMATCH !!!'}`)
    return same
  }
  const threads = opts.threads.at(-1)
  const ap = (...args) => [opts.node, opts.cli, ...args]
  let packageBytes = 0
  let zstdBytes = 0
  for (let rep = 0; rep < opts.reps; rep++) {
    console.error(`bench: large rep ${rep + 1}/${opts.reps}`)
    warm(file)
    clean(pkg)
    settle()
    record('astropack pack', timed(ap('pack', inDir, '-o', pkg, '--threads', `${threads}`), { timeFile }))
    packageBytes = existsSync(pkg) ? statSync(pkg).size : 0
    warm(pkg) // written past the page cache; the goals are set with inputs in it
    record('astropack validate', timed(ap('validate', pkg), { timeFile }))
    record('astropack validate --full', timed(ap('validate', pkg, '--full'), { timeFile }))
    clean(restored)
    settle()
    record(
      'astropack unpack',
      timed(ap('unpack', pkg, '-o', restored, '--threads', `${threads}`), { timeFile }),
    )
    check('astropack', join(restored, 'large-table.fits'))
    clean(restored)
    clean(pkg)
    const copy = join(dir, 'large.copy')
    warm(file)
    settle()
    record(COPY_STEP, timed(['cat', file], { stdout: copy, timeFile }))
    check('cat', copy)
    clean(copy)
    if (opts.zstd) {
      const packed = join(dir, 'large.zst')
      const back = join(dir, 'large.back')
      warm(file)
      settle()
      record('zstd -3 -T2', timed(['zstd', '-3', '-T2', '-c', file], { stdout: packed, timeFile }))
      zstdBytes = statSync(packed).size
      settle()
      record('zstd -d', timed(['zstd', '-d', '-c', packed], { stdout: back, timeFile }))
      check('zstd', back)
      clean(packed)
      clean(back)
    }
  }
  return { file, made, buildSeconds, steps, mismatches, packageBytes, zstdBytes, threads }
}

const COPY_STEP = 'cat (a copy of the input: the floor)'

const GOALS = {
  'astropack pack': 300,
  'astropack unpack': 800,
  'astropack validate': 1500,
  'astropack validate --full': 500,
}

export function largeReport(result, header) {
  const { made, steps } = result
  const rows = []
  for (const [name, runs] of steps) {
    const mbps = spread(runs.map((r) => made.bytes / MB / r.seconds))
    const rss = spread(runs.map((r) => (r.rssKiB ?? Number.NaN) / 1024))
    const speedGoal = GOALS[name]
    const isAstropack = name.startsWith('astropack')
    const speedOk = speedGoal ? (mbps.med >= speedGoal ? 'PASS' : 'FAIL') : ''
    const rssOk = isAstropack && rss ? (rss.max <= RSS_GOAL_MIB ? 'PASS' : 'FAIL') : ''
    rows.push([
      name,
      spreadText(spread(runs.map((r) => r.seconds))),
      spreadText(mbps),
      speedGoal ? `≥ ${speedGoal}: **${speedOk}**` : '',
      spreadText(rss),
      rssOk ? `≤ ${RSS_GOAL_MIB}: **${rssOk}**` : '',
    ])
  }
  const head = ['step', 'seconds', 'MB/s', 'speed goal', 'peak RSS MiB', 'RSS goal']
  const out = [header, '']
  out.push(
    `Input: a FITS binary table of ${made.bytes} bytes (${num(made.bytes / 1024 ** 3)} GiB), ` +
      `${made.rows} rows of ${made.rowBytes} bytes: the ${made.sourceRows} real rows of \`${made.source}\` ` +
      `repeated, so the data repeats every ${num((made.sourceRows * made.rowBytes) / MiB)} MiB` +
      (made.sourceRows * made.rowBytes > 16 * MiB
        ? " (longer than AstroPack's 4 MiB chunks and zstd -3's window, so neither gains from the repetition)."
        : " (SHORTER than the compressors' windows: the ratios here flatter everyone; speeds and RSS still hold).") +
      (result.buildSeconds ? ` Built in ${result.buildSeconds.toFixed(0)} s.` : ''),
    '',
  )
  out.push(table(head, rows))
  out.push('')
  const ratio = (bytes) => (bytes ? num(made.bytes / bytes) : '–')
  out.push(
    `Package: ${result.packageBytes} bytes (ratio ${ratio(result.packageBytes)}), ` +
      `\`zstd -3 -T2\`: ${result.zstdBytes || '–'} bytes (ratio ${ratio(result.zstdBytes)}). ` +
      `AstroPack ran with --threads ${result.threads}.`,
    '',
  )
  const median = (name) => spread((steps.get(name) ?? []).map((r) => r.seconds))?.med
  const unpack = median('astropack unpack')
  const copy = median(COPY_STEP)
  if (unpack && copy) {
    out.push(
      `Writing: \`cat\` copied the input in ${copy.toFixed(1)} s (${num(made.bytes / MB / copy)} MB/s, page cache ` +
        `to a new file); unpack took ${num(unpack / copy)}x that. Every writing step started ${SETTLE_SECONDS} s ` +
        'after the one before, so none reused memory another had just freed (see SETTLE_SECONDS in large.mjs).',
      '',
    )
  }
  if (result.mismatches.length > 0) for (const m of result.mismatches) out.push(`- **${m}**`)
  else out.push("Round trips: every output has the input's SHA-256 (astropack unpack, zstd -d, cat).")
  return out.join('\n')
}
