// Small statistics and the aggregation of per-file runs into per-class (or whole-selection) figures.
export const MB = 1e6
export const MiB = 1024 * 1024

export function median(values) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** { min, med, max } of the finite values, or null when there are none. */
export function spread(values) {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return null
  return { min: Math.min(...finite), med: median(finite), max: Math.max(...finite) }
}

/**
 * The figures of one tool over a set of files, from its records (one per file, see corpus.mjs):
 * size ratio (sum of original bytes / sum of compressed bytes), throughput per repetition (sum of original
 * bytes / sum of seconds of that repetition) for each operation, and the peak RSS of every process.
 * Files where the tool failed, or never ran, are left out; `files` says how many were counted.
 */
export function aggregate(records, reps) {
  const ok = records.filter((r) => r && r.errors.length === 0 && r.pack.length === reps)
  if (ok.length === 0) return null
  const bytes = ok.reduce((sum, r) => sum + r.bytes, 0)
  const out = {
    files: ok.length,
    fileNames: ok.map((r) => r.file),
    bytes,
    ratio: spread(range(reps).map((i) => bytes / ok.reduce((sum, r) => sum + r.packedBytes[i], 0))),
    packedBytes: ok.reduce((sum, r) => sum + r.packedBytes[0], 0),
  }
  for (const op of ['pack', 'unpack', 'validate', 'validateFull']) {
    if (!ok.every((r) => r[op].length === reps)) continue
    out[op] = {
      mbps: spread(range(reps).map((i) => bytes / MB / ok.reduce((sum, r) => sum + r[op][i].seconds, 0))),
      rssMiB: spread(ok.flatMap((r) => r[op].map((run) => (run.rssKiB ?? Number.NaN) / 1024))),
      seconds: spread(range(reps).map((i) => ok.reduce((sum, r) => sum + r[op][i].seconds, 0))),
    }
  }
  return out
}

export const range = (n) => Array.from({ length: n }, (_, i) => i)

/** A number with 0-2 decimals by size; '–' when missing. */
export const num = (v) =>
  !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)

/** 'min / median / max', or one number when all repetitions agree. */
export const spreadText = (s) =>
  !s ? '–' : num(s.min) === num(s.max) ? num(s.med) : `${num(s.min)} / ${num(s.med)} / ${num(s.max)}`
