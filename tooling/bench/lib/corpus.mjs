// The corpus run: every tool over every file, interleaved (rep 1: A B C …, rep 2: … C B A), plus the whole
// selection packed as one AstroPack package. Records every process's wall clock and peak RSS and checks the
// round trip of every byte-exact tool by SHA-256.
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { clean, sha256File, stageAlone, stageInto, timed, warm } from './proc.mjs'
import { MB } from './stats.mjs'

/** A top-level file's class, from its name: a folder of kept-aside files needs no class folders. */
function classOfName(name) {
  const lower = name.toLowerCase().replace(/\.(gz|fz)$/, '')
  if (/\.(fits?|fts)$/.test(lower)) return 'fits'
  if (/\.(csv|tsv|ecsv)$/.test(lower)) return 'csv'
  if (/\.(h5|hdf5|he5)$/.test(lower)) return 'hdf5'
  return 'other'
}

/** The corpus's own description at its top (README, MANIFEST) is not data. */
const isCorpusDescription = (rel) => !rel.includes('/') && /^(readme|manifest)(\.|$)/i.test(rel)

/**
 * Files of the corpus: a file in a subfolder has that folder as its class; a top-level file the class of its
 * kind (fits, csv, hdf5, other).
 */
export function listFiles(root, only) {
  return readdirSync(root, { recursive: true })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, rel: relative(root, path).split(sep).join('/') }))
    .filter(({ rel }) => !isCorpusDescription(rel) && (!only || rel.includes(only)))
    .map(({ path, rel }) => ({
      path,
      rel,
      cls: rel.includes('/') ? rel.split('/')[0] : classOfName(rel),
      bytes: statSync(path).size,
    }))
    .sort((a, b) => a.rel.localeCompare(b.rel))
}

function newRecord(file, tool, bytes) {
  return {
    file,
    tool,
    bytes,
    packedBytes: [],
    pack: [],
    unpack: [],
    validate: [],
    validateFull: [],
    errors: [],
  }
}

const tail = (text) => text.split('\n').filter(Boolean).slice(-2).join(' | ') || '(no message)'

/** Runs one timed step; on failure notes it on the record and returns null. */
function step(record, name, command, timeFile) {
  const run = timed(command.argv, { stdout: command.stdout, timeFile })
  if (run.status !== 0) {
    record.errors.push(`${name} exited with ${run.status}: ${tail(run.stderr)}`)
    console.error(`  FAILED ${record.tool} ${name} on ${record.file}: ${tail(run.stderr)}`)
    return null
  }
  return { seconds: run.seconds, rssKiB: run.rssKiB }
}

/**
 * One repetition of one tool over one input: pack, (validate, validate --full), unpack, round-trip check.
 * inputs: [{ rel, path, sha }] that must come back: ctx.input's file, or (one-package run, no ctx.input) all
 * of them under their relative paths.
 */
function runOnce(tool, ctx, record, inputs, { validate, mismatches, rep }) {
  clean(ctx.packed)
  clean(ctx.restored)
  const packed = step(record, 'pack', tool.pack(ctx), ctx.timeFile)
  if (!packed) return
  // Every step reads its input from the page cache, as the goals are set: astropack writes a package
  // from 64 MiB of input or more past the page cache, where no peer's output goes.
  warm(ctx.packed)
  const validated = validate && step(record, 'validate', tool.validate(ctx, false), ctx.timeFile)
  const validatedFull = validate && step(record, 'validate --full', tool.validate(ctx, true), ctx.timeFile)
  if (validate && (!validated || !validatedFull)) return
  const unpacked = step(record, 'unpack', tool.unpack(ctx), ctx.timeFile)
  if (!unpacked) return
  record.packedBytes.push(statSync(ctx.packed).size)
  record.pack.push(packed)
  record.unpack.push(unpacked)
  if (validate) {
    record.validate.push(validated)
    record.validateFull.push(validatedFull)
  }
  if (tool.exact) {
    for (const input of inputs) {
      const back = ctx.input ? tool.restoredFile(ctx) : join(ctx.restored, input.rel)
      let sha = 'missing'
      try {
        sha = sha256File(back)
      } catch {}
      if (sha !== input.sha) {
        const message = `ROUND TRIP MISMATCH: ${tool.label} on ${input.rel} (rep ${rep + 1}): sha256 ${sha} != ${input.sha}`
        mismatches.push(message)
        console.error(`\n!!! ${message}\n`)
      }
    }
  }
  clean(ctx.restored)
}

const secs = (run) => (run ? `${run.seconds.toFixed(2)} s` : '-')

/**
 * opts: { files, tools (astropack first, then peers), reps, work, onePackage (bool) }
 * Returns { records: Map<file\ttool, record>, mismatches, verified: count of checked round trips }.
 */
export function runCorpus({ files, tools, reps, work, onePackage }) {
  const records = new Map()
  const mismatches = []
  const timeFile = join(work, 'time.txt')
  const astropacks = tools.filter((t) => !t.peer)
  const validating = astropacks.at(-1)
  console.error(`bench: hashing ${files.length} inputs (${(sum(files) / MB).toFixed(1)} MB)`)
  for (const file of files) file.sha = sha256File(file.path)
  const staged = files.map((file, i) => stageAlone(file.path, join(work, 'in', `${i}`)))

  let allStaged
  if (onePackage) {
    allStaged = join(work, 'in', 'all')
    for (const file of files) {
      mkdirSync(join(allStaged, file.cls), { recursive: true })
      stageInto(file.path, join(allStaged, file.rel))
    }
  }

  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 ? [...tools].reverse() : tools
    for (const [i, file] of files.entries()) {
      warm(file.path)
      for (const tool of order) {
        if (!tool.available || !tool.applies(file.path, file.bytes)) continue
        const key = `${file.rel}\t${tool.id}`
        if (!records.has(key)) records.set(key, newRecord(file.rel, tool.id, file.bytes))
        const record = records.get(key)
        if (record.errors.length > 0) continue
        const dir = join(work, 'runs', `${i}`, tool.id)
        mkdirSync(dir, { recursive: true })
        const ctx = {
          input: file.path,
          staged: staged[i],
          packed: join(dir, tool.peer ? 'packed' : 'packed.astropack'),
          restored: join(dir, 'restored'),
          timeFile,
        }
        const validate = tool === validating
        runOnce(tool, ctx, record, [file], { validate, mismatches, rep })
        console.error(
          `rep ${rep + 1}/${reps}  ${file.rel}  ${tool.label}: pack ${secs(record.pack[rep])}` +
            `  unpack ${secs(record.unpack[rep])}`,
        )
        clean(ctx.packed)
      }
    }
    if (onePackage) {
      for (const file of files) warm(file.path)
      for (const tool of rep % 2 ? [...astropacks].reverse() : astropacks) {
        const key = `(one package)\t${tool.id}`
        if (!records.has(key)) records.set(key, newRecord('(one package)', tool.id, sum(files)))
        const record = records.get(key)
        if (record.errors.length > 0) continue
        const dir = join(work, 'runs', 'all', tool.id)
        mkdirSync(dir, { recursive: true })
        const ctx = {
          staged: allStaged,
          packed: join(dir, 'packed.astropack'),
          restored: join(dir, 'restored'),
          timeFile,
        }
        runOnce(tool, ctx, record, files, { validate: true, mismatches, rep })
        console.error(
          `rep ${rep + 1}/${reps}  (one package, ${files.length} files)  ${tool.label}: ` +
            `pack ${secs(record.pack[rep])}  validate ${secs(record.validate[rep])}  ` +
            `--full ${secs(record.validateFull[rep])}  unpack ${secs(record.unpack[rep])}`,
        )
        clean(ctx.packed)
      }
    }
  }
  const verified = [...records.values()]
    .filter((r) => tools.find((t) => t.id === r.tool)?.exact)
    .reduce((n, r) => n + r.unpack.length * (r.file === '(one package)' ? files.length : 1), 0)
  return { records, mismatches, verified }
}

export const sum = (files) => files.reduce((total, file) => total + file.bytes, 0)
