import { createRequire } from 'node:module'
import type { Progress } from 'astropack'
import type { SingleBar } from 'cli-progress'

/** cli-progress (16 modules) loads only when a bar is drawn: scripts and pipes do not pay for it. */
const loadSingleBar = (): typeof SingleBar => createRequire(import.meta.url)('cli-progress').SingleBar

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${Math.round(bytes)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}

export function formatRate(bytes: number, seconds: number): string {
  return seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : '-'
}

/** A progress bar on stderr when it is a terminal (and output is not JSON); nothing otherwise. */
export function progressBar(enabled: boolean): { update: (progress: Progress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new (loadSingleBar())({
    stream: process.stderr,
    format: ' {phase} [{bar}] {percentage}% | {done} of {size} | {entry}',
    hideCursor: true,
    clearOnComplete: true,
  })
  let started = false
  return {
    update: (progress) => {
      const payload = {
        phase: progress.phase,
        done: formatBytes(progress.bytesDone),
        size: formatBytes(progress.bytesTotal),
        entry: progress.entry ?? '',
      }
      if (!started) {
        bar.start(progress.bytesTotal, progress.bytesDone, payload)
        started = true
      } else bar.update(progress.bytesDone, payload)
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}
