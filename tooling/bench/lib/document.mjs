// BENCHMARKS.md holds one section per kind of run (corpus, large, quick); each run replaces its own section
// between markers and leaves the others as they were.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const INTRO = `# Benchmarks

Written by \`pnpm bench\` (see [tooling/bench/README.md](tooling/bench/README.md)); not edited by hand: each
kind of run (\`--corpus\`, \`--large\`) replaces its own section below and leaves the others as they were.
A benchmark, not a test: nothing in the test suite asserts timings.
`

export function writeSection(path, key, body) {
  const start = `<!-- bench:${key} -->`
  const end = `<!-- /bench:${key} -->`
  const block = `${start}\n${body.trim()}\n${end}`
  let text = existsSync(path) ? readFileSync(path, 'utf8') : INTRO
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from >= 0 && to > from) text = `${text.slice(0, from)}${block}${text.slice(to + end.length)}`
  else text = `${text.trimEnd()}\n\n${block}\n`
  writeFileSync(path, text)
}

const row = (cells) => `| ${cells.join(' | ')} |`

/** A markdown table: the first column left-aligned, the others right-aligned unless `align` says. */
export const table = (head, rows, align) =>
  [row(head), row(align ?? head.map((_, i) => (i ? '---:' : '---'))), ...rows.map(row)].join('\n')
