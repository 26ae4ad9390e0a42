// Running one timed process, hashing and warming files, staging a file alone in a folder.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs'
import { basename, join } from 'node:path'

export const TIME_BIN = '/usr/bin/time'
const CHUNK = 8 * 1024 * 1024

/**
 * Runs argv under /usr/bin/time (peak RSS of the process, %M in KiB) and measures its wall clock.
 * stdout: a path the process output is written to (for `gzip -c > out`), or undefined to discard it.
 * Returns { seconds, rssKiB, status, stderr }; rssKiB is null when /usr/bin/time is missing.
 */
export function timed(argv, { stdout, timeFile } = {}) {
  const useTime = existsSync(TIME_BIN) && timeFile
  const cmd = useTime ? [TIME_BIN, '-f', '%M', '-o', timeFile, ...argv] : argv
  const fd = stdout ? openSync(stdout, 'w') : undefined
  try {
    const start = process.hrtime.bigint()
    const run = spawnSync(cmd[0], cmd.slice(1), {
      stdio: ['ignore', fd ?? 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    })
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    let rssKiB = null
    if (useTime && existsSync(timeFile)) {
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop()
      rssKiB = Number.parseInt(last, 10)
      if (!Number.isFinite(rssKiB)) rssKiB = null
    }
    const stderr = `${run.error ? `${run.error.message}\n` : ''}${run.stderr?.toString() ?? ''}`.trim()
    return { seconds, rssKiB, status: run.error ? -1 : run.status, stderr }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Reads a file through once with a fixed buffer; calls onChunk for every piece read. */
function readThrough(path, onChunk) {
  const fd = openSync(path, 'r')
  const buffer = Buffer.allocUnsafe(CHUNK)
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null)
      if (n === 0) break
      onChunk(buffer.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
}

export function sha256File(path) {
  const hash = createHash('sha256')
  readThrough(path, (chunk) => hash.update(chunk))
  return hash.digest('hex')
}

/** Warm-up read: pulls the file into the page cache before it is timed. */
export function warm(path) {
  readThrough(path, () => {})
}

/** A folder holding only a hard link (or, across devices, a copy) of file, for `astropack pack <dir>`. */
export function stageAlone(file, dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  stageInto(file, join(dir, basename(file)))
  return dir
}

export function stageInto(file, target) {
  try {
    linkSync(file, target)
  } catch {
    copyFileSync(file, target)
  }
}

export function clean(path) {
  rmSync(path, { recursive: true, force: true })
}

/** Runs a command for its text output (tool versions, git); '' when it cannot run (or fails, unless anyStatus). */
export function capture(cmd, args, { anyStatus = false } = {}) {
  const run = spawnSync(cmd, args, { encoding: 'utf8' })
  if (run.error || (run.status !== 0 && !anyStatus)) return ''
  return `${run.stdout}${run.stderr}`.trim()
}

/**
 * The runs of named steps, in order, and what went wrong in them: `record(name, run)` keeps a timed()
 * run, logs it with `describe(run)`, and notes a non-zero exit.
 */
export function stepLog(describe) {
  const steps = new Map()
  const mismatches = []
  const record = (name, run) => {
    if (!steps.has(name)) steps.set(name, [])
    steps.get(name).push(run)
    console.error(`  ${name}: ${describe(run)}`)
    if (run.status !== 0) mismatches.push(`${name} exited with ${run.status}: ${run.stderr.slice(-300)}`)
  }
  return { steps, mismatches, record }
}
