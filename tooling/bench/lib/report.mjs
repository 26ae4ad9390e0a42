// Markdown for the corpus run: per-class and per-file tables (each figure min / median / max over the
// repetitions), AstroPack's ratios to every peer, validate speeds, the one-package run and the goals.
import { table } from './document.mjs'
import { fileRatioGoals, goals } from './goals.mjs'
import { aggregate, MB, num, spreadText } from './stats.mjs'

const times = (a, b) => (a && b ? `${num(a.med / b.med)}×` : '–')

/** The records of one tool over some files. */
const recordsOf = (results, files, toolId) =>
  files.map((rel) => results.records.get(`${rel}\t${toolId}`)).filter(Boolean)

/** rows = tools; AstroPack's size and speed as ratios to each peer, over the files that peer ran on. */
function toolTable(results, files, tools, reps) {
  const astropacks = tools.filter((t) => !t.peer)
  const main = astropacks.at(-1)
  const head = ['tool', 'files', 'ratio', 'pack MB/s', 'unpack MB/s', 'pack RSS MiB', 'unpack RSS MiB']
  head.push(`AP size ×${astropacks.length > 1 ? ` (${main.threads}t)` : ''}`)
  for (const op of ['pack', 'unpack']) for (const ap of astropacks) head.push(`AP ${op} × (${ap.threads}t)`)
  const rows = []
  for (const tool of tools) {
    const records = recordsOf(results, files, tool.id)
    if (records.length === 0) continue
    const agg = aggregate(records, reps)
    const failed = records.filter((r) => r.errors.length > 0)
    if (!agg) {
      rows.push([tool.label, `0/${records.length}`, `failed: ${failed[0]?.errors[0] ?? 'no run'}`])
      continue
    }
    const cells = [
      tool.label,
      `${agg.files}/${records.length}`,
      spreadText(agg.ratio),
      spreadText(agg.pack?.mbps),
      spreadText(agg.unpack?.mbps),
      spreadText(agg.pack?.rssMiB),
      spreadText(agg.unpack?.rssMiB),
    ]
    if (!tool.peer) cells.push('', ...astropacks.flatMap(() => ['', '']))
    else {
      const vs = (ap) => aggregate(recordsOf(results, agg.fileNames, ap.id), reps)
      const mainAgg = vs(main)
      cells.push(mainAgg && mainAgg.files === agg.files ? times(mainAgg.ratio, agg.ratio) : '–')
      for (const op of ['pack', 'unpack']) {
        for (const ap of astropacks) {
          const apAgg = vs(ap)
          cells.push(apAgg && apAgg.files === agg.files ? times(apAgg[op]?.mbps, agg[op]?.mbps) : '–')
        }
      }
    }
    rows.push(cells)
  }
  return table(head, rows)
}

function validateTable(results, groups, tool, reps) {
  const rows = groups.map(({ name, files }) => {
    const agg = aggregate(recordsOf(results, files, tool.id), reps)
    return [
      name,
      agg ? num(agg.bytes / MB) : '–',
      spreadText(agg?.validate?.mbps),
      spreadText(agg?.validate?.rssMiB),
      spreadText(agg?.validateFull?.mbps),
      spreadText(agg?.validateFull?.rssMiB),
    ]
  })
  const head = ['input', 'MB', 'validate MB/s', 'validate RSS MiB', 'validate --full MB/s', '--full RSS MiB']
  return table(head, rows)
}

function onePackageTable(results, tools, reps) {
  const rows = tools
    .filter((t) => !t.peer)
    .map((tool) => {
      const agg = aggregate(recordsOf(results, ['(one package)'], tool.id), reps)
      if (!agg) return [tool.label, 'failed']
      return [
        tool.label,
        num(agg.bytes / MB),
        spreadText(agg.ratio),
        ...['pack', 'validate', 'validateFull', 'unpack'].map((op) => spreadText(agg[op]?.mbps)),
        ...['pack', 'validate', 'validateFull', 'unpack'].map((op) => spreadText(agg[op]?.rssMiB)),
      ]
    })
  const head = ['astropack', 'MB', 'ratio', 'pack MB/s', 'validate MB/s', '--full MB/s', 'unpack MB/s']
  head.push('pack RSS MiB', 'validate RSS', '--full RSS', 'unpack RSS')
  return table(head, rows)
}

/** The corpus section of BENCHMARKS.md. meta: { title, header (markdown), reps, files, tools, notes } */
export function corpusReport(results, meta) {
  const { files, tools, reps } = meta
  const classes = [...new Set(files.map((f) => f.cls))]
  const rels = (list) => list.map((f) => f.rel)
  const groups = [
    ...classes.map((cls) => ({ name: `class ${cls}`, files: rels(files.filter((f) => f.cls === cls)) })),
    { name: 'all files', files: rels(files) },
  ]
  const validating = tools.filter((t) => !t.peer).at(-1)
  const out = [`## ${meta.title}`, '', meta.header, '']
  out.push('### Goals', '', goals(results, meta), '')
  const ratioGoals = fileRatioGoals(results, meta)
  if (ratioGoals)
    out.push(
      '### Ratio goals on every file',
      '',
      "The typed-tables issue's goals, on each file against the peer measured on it in this run.",
      '',
      ratioGoals,
      '',
    )
  out.push('### Round trips', '')
  if (results.mismatches.length > 0) {
    out.push(`**${results.mismatches.length} ROUND TRIP MISMATCH(ES):**`, '')
    for (const m of results.mismatches) out.push(`- **${m}**`)
  } else {
    out.push(
      `All ${results.verified} round trips of byte-exact tools (astropack, zstd, lz4, gzip, xz) came back ` +
        'with the original SHA-256.',
    )
  }
  const failures = [...results.records.values()].filter((r) => r.errors.length > 0)
  for (const r of failures) out.push(`- failed: ${r.tool} on ${r.file}: ${r.errors.join('; ')}`)
  out.push('', '### Whole selection as one package', '')
  out.push(
    `All ${files.length} files (${num(meta.totalBytes / MB)} MB) in their class folders, packed into ONE ` +
      'package by one process: the way the product is used, and what the absolute speed goals are checked on.',
  )
  out.push('', onePackageTable(results, tools, reps), '')
  out.push('### Per class', '')
  for (const group of groups)
    out.push(`#### ${group.name}`, '', toolTable(results, group.files, tools, reps), '')
  out.push('### Validate (astropack)', '')
  out.push(`Speeds of original bytes per second; packages written by ${validating.label}.`, '')
  const perFile = files.map((f) => ({ name: f.rel, files: [f.rel] }))
  out.push(validateTable(results, [...groups, ...perFile], validating, reps), '')
  out.push('### Per file', '')
  for (const file of files) {
    out.push(`#### ${file.rel} (${num(file.bytes / MB)} MB)`, '')
    out.push(toolTable(results, [file.rel], tools, reps), '')
  }
  return out.join('\n')
}
