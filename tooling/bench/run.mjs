// pnpm bench: AstroPack against the peer tools on the same inputs, interleaved, several repetitions; writes
// the tables, the machine, the commit and the goals to BENCHMARKS.md. See README.md beside this file.
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { listFiles, runCorpus, sum } from './lib/corpus.mjs'
import { writeSection } from './lib/document.mjs'
import { largeReport, runLarge } from './lib/large.mjs'
import { checkTools, gitCommit, machine, toolVersions } from './lib/machine.mjs'
import { manyFilesReport, runManyFiles } from './lib/many-files.mjs'
import { clean, TIME_BIN } from './lib/proc.mjs'
import { corpusReport } from './lib/report.mjs'
import { snapshotBuild } from './lib/snapshot.mjs'
import { MB, num } from './lib/stats.mjs'
import { astropackTools, peerTools } from './lib/tools.mjs'
import { parseSize } from './make-large-fits.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const USAGE = `usage: pnpm bench [--quick | --corpus DIR | --large [--size 5G] | --many-files DIR] [options]
  --quick              the committed fixtures (fixtures/sample), 2 repetitions; writes no file unless --out
  --corpus DIR         every file in DIR (a subfolder is a data class; top-level files are classed by kind)
  --large              build a big FITS table (--size, default 5G) and time astropack on it
  --many-files DIR     one folder of many small files (make-many-files.sh) against tar + zstd
  --reps N             repetitions (default 3; --quick 2; --large 1)
  --only TEXT          only files whose path contains TEXT
  --threads 1,2        astropack thread counts (default 1,2; --large uses the last)
  --xz-max-mb N        run xz -6 on files up to N MB only (default 20; it is slow)
  --zstd19-max-mb N    run zstd -19 on files up to N MB only (default: all files)
  --no-peers           astropack only
  --no-snapshot        run the live apps/cli/dist instead of a copy of the build taken at the start
  --ap-args="..."      extra arguments for astropack pack (e.g. --ap-args="--level max"; the = is needed)
  --work DIR           folder for temporary files (default: a new folder in ${tmpdir()}); kept if given
  --out FILE           markdown file to write (default BENCHMARKS.md at the repository root)
  --section NAME       the section of that file a --corpus run replaces (default corpus; e.g. aside)
  --install            apt-get install the missing peer tools first`

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      corpus: { type: 'string' },
      large: { type: 'boolean' },
      'many-files': { type: 'string' },
      size: { type: 'string', default: '5G' },
      reps: { type: 'string' },
      only: { type: 'string' },
      threads: { type: 'string', default: '1,2' },
      'xz-max-mb': { type: 'string', default: '20' },
      'zstd19-max-mb': { type: 'string' },
      'no-peers': { type: 'boolean' },
      'no-snapshot': { type: 'boolean' },
      'ap-args': { type: 'string', default: '' },
      work: { type: 'string' },
      out: { type: 'string' },
      section: { type: 'string' },
      install: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const threads = values.threads.split(',').map((n) => Number.parseInt(n, 10))
  if (threads.some((n) => !(n >= 1))) fail('--threads takes a list of positive numbers, e.g. 1,2')
  threads.sort((a, b) => a - b)
  const quick = values.quick || (!values.corpus && !values.large && !values['many-files'])
  const reps = Number.parseInt(values.reps ?? (values.large ? '1' : quick ? '2' : '3'), 10)
  if (!(reps >= 1)) fail('--reps takes a positive number')
  const outGiven = values.out !== undefined
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? join(root, 'BENCHMARKS.md'))
  return { ...values, threads, quick: quick && !values.large && !values['many-files'], reps, out, outGiven }
}

function fail(message) {
  console.error(`bench: ${message}\n${USAGE}`)
  process.exit(2)
}

/** The node that runs the CLI: this one if it is new enough, else the repository's own Node 24. */
function cliNode() {
  const major = Number.parseInt(process.versions.node, 10)
  const own = join(root, 'node_modules/node/bin/node')
  if (major < 22 && existsSync(own)) return own
  return process.execPath
}

function header({ opts, meta, extra }) {
  const m = machine(meta.node)
  const command = `pnpm bench ${process.argv.slice(2).join(' ')}`.trim()
  const lines = [
    `- **Command:** \`${command}\``,
    `- **Date:** ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- **Commit:** ${gitCommit(root)}`,
    `- **Build measured:** ${meta.build}`,
    `- **Machine:** ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.os}; Node ${m.node}`,
    `- **Load average at start:** ${meta.load} (end: ${m.load}). The machine is shared with other engineers ` +
      'running tests on the same cores, so speeds move from run to run: every figure is min / median / max ' +
      `over ${opts.reps} repetition(s).`,
    ...extra,
  ]
  const versions = toolVersions()
  if (Object.keys(versions).length > 0) {
    lines.push(`- **Peer versions:** ${Object.values(versions).join('; ')}`)
  }
  if (meta.missing.length > 0) {
    lines.push(
      `- **MISSING TOOLS (their peers were skipped):** ${meta.missing.map((t) => `${t.name} — ${t.how}`).join('; ')}`,
    )
  }
  return lines.join('\n')
}

function main() {
  const opts = options()
  const node = cliNode()
  const liveCli = join(root, 'apps/cli/dist/bundle/astropack.js')
  if (!existsSync(liveCli)) fail(`${liveCli} is missing: run \`pnpm exec turbo run build\` first`)
  const load = machine(node).load
  const ownWork = !opts.work
  const work = opts.work ? resolve(opts.work) : mkdtempSync(join(tmpdir(), 'astropack-bench-'))
  mkdirSync(work, { recursive: true })
  let cli = liveCli
  let snapshotDir
  let build = `the live \`apps/cli/dist\` (--no-snapshot: it may be rebuilt during the run)`
  if (!opts['no-snapshot']) {
    snapshotDir = join(work, `build-${process.pid}`)
    clean(snapshotDir)
    const snapshot = snapshotBuild(root, snapshotDir)
    cli = snapshot.cli
    build =
      `a copy of every workspace package's \`dist\` taken at ${new Date().toISOString().slice(0, 19)}Z ` +
      `(content hash ${snapshot.buildHash}), so the whole run measures one build even if \`dist\` is rebuilt ` +
      'meanwhile; it is whatever the work tree held then, which may include uncommitted changes'
  }
  const apArgs = opts['ap-args'].split(/\s+/).filter(Boolean)
  const tools = [
    ...astropackTools({ node, cli, threads: opts.threads, extraArgs: apArgs }),
    ...(opts['no-peers']
      ? []
      : peerTools({
          node,
          xzMaxMB: Number(opts['xz-max-mb']),
          zstd19MaxMB: opts['zstd19-max-mb'] ? Number(opts['zstd19-max-mb']) : undefined,
        })),
  ]
  const needed = [TIME_BIN, ...(opts.large || opts['many-files'] ? ['zstd'] : tools.flatMap((t) => t.needs))]
  const missing = checkTools(needed, { install: opts.install })
  for (const t of missing) console.error(`bench: MISSING ${t.name}: install with ${t.how}`)
  if (missing.some((t) => t.name === TIME_BIN)) console.error('bench: peak RSS will not be measured')
  for (const tool of tools) tool.available = tool.needs.every((n) => !missing.some((t) => t.name === n))

  let failed = false
  try {
    if (opts.large) {
      const corpusTable = join(opts.corpus ?? '/work/corpus', 'fits_table/tycho2-07-stars.fits')
      const source = existsSync(corpusTable)
        ? corpusTable
        : join(root, 'fixtures/sample/fits/wmap7-W-iqu-nside32.fits')
      const result = runLarge({
        source,
        sizeBytes: parseSize(opts.size),
        work,
        threads: opts.threads,
        node,
        cli,
        reps: opts.reps,
        zstd: !missing.some((t) => t.name === 'zstd'),
      })
      failed = result.mismatches.length > 0
      const head = header({
        opts,
        meta: { node, load, missing, build },
        extra: [`- **Work folder:** ${work} (${ownWork ? 'removed afterwards' : 'kept'})`],
      })
      const body = `## Large input (${opts.size})\n\n${largeReport(result, head)}`
      console.log(`\n${body}`)
      writeSection(opts.out, 'large', body)
      console.error(`bench: wrote the large section of ${opts.out}`)
    } else if (opts['many-files']) {
      const dir = resolve(opts['many-files'])
      if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`no folder at ${dir}`)
      const result = runManyFiles({
        dir,
        work,
        node,
        cli,
        reps: opts.reps,
        zstd: !missing.some((t) => t.name === 'zstd'),
      })
      failed = result.mismatches.length > 0
      const head = header({ opts, meta: { node, load, missing, build }, extra: [] })
      const body = `## Many small files (${dir})\n\n${manyFilesReport(result, head, dir)}`
      console.log(`\n${body}`)
      writeSection(opts.out, 'many-files', body)
      console.error(`bench: wrote the many-files section of ${opts.out}`)
    } else {
      const dir = resolve(opts.corpus ?? join(root, 'fixtures/sample'))
      if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`no corpus folder at ${dir}`)
      const files = listFiles(dir, opts.only)
      if (files.length === 0) fail(`no files in ${dir}${opts.only ? ` matching ${opts.only}` : ''}`)
      const results = runCorpus({ files, tools, reps: opts.reps, work, onePackage: true })
      failed = results.mismatches.length > 0
      const limits = tools.filter((t) => t.available).map((t) => `  - ${t.label}: ${t.note}`)
      const head = header({
        opts,
        meta: { node, load, missing, build },
        extra: [
          `- **Inputs:** ${files.length} files, ${num(sum(files) / MB)} MB, from \`${dir}\`` +
            (opts.only ? ` (only paths containing "${opts.only}")` : '') +
            `; classes: ${[...new Set(files.map((f) => f.cls))].join(', ')}`,
          `- **Method:** ${opts.reps} repetition(s), interleaved: each repetition runs every tool on a file ` +
            'before the next file, in reverse order on every other repetition. Each file is read once before it is ' +
            'timed (page cache). Each tool runs as its own process, timed by wall clock from start to exit ' +
            '(so AstroPack and DuckDB also pay Node start-up and module loading, which the smallest files show), ' +
            'with its peak RSS from `/usr/bin/time -f %M`.',
          '- **Reading the tables:** MB = 10^6 bytes of ORIGINAL data; ratio = original / compressed bytes; ' +
            'speeds are original MB per second; `AP size ×` = peer bytes / AstroPack bytes and `AP pack ×` / ' +
            '`AP unpack ×` = AstroPack MB/s / peer MB/s over the same files in this run (above 1: AstroPack ' +
            'smaller / faster). Per class and "all files" sum bytes and seconds over the files a tool ran on ' +
            '(`files` column).',
          '- **How each tool ran:**',
          ...limits,
        ],
      })
      const title = opts.quick ? 'Quick run (fixtures/sample)' : `Corpus run (${dir})`
      const body = corpusReport(results, {
        title,
        header: head,
        reps: opts.reps,
        files,
        tools,
        totalBytes: sum(files),
      })
      if (!opts.quick || opts.outGiven) {
        writeSection(opts.out, opts.quick ? 'quick' : (opts.section ?? 'corpus'), body)
        console.error(`bench: wrote ${opts.out}`)
      }
      console.log(body)
    }
  } finally {
    if (ownWork) clean(work)
    else if (snapshotDir) clean(snapshotDir)
  }
  if (failed) {
    console.error('\nbench: ROUND TRIP MISMATCH, see above')
    process.exitCode = 1
  }
}

main()
