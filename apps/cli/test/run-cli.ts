import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../dist/bundle/astropack.js', import.meta.url))
export const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample', import.meta.url))

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
}

/** Runs the built `astropack` binary with this Node (the repository's Node 24). */
export function astropack(...args: string[]): CliResult {
  const run: SpawnSyncReturns<Buffer> = spawnSync(process.execPath, [CLI, ...args], { maxBuffer: 1 << 30 })
  return {
    status: run.status,
    stdout: run.stdout.toString(),
    stderr: run.stderr.toString(),
    stdoutBytes: run.stdout,
  }
}

/** Starts the CLI and reports its peak RSS (bytes) and exit, for memory-bound checks. */
export function astropackWithPeakRss(
  ...args: string[]
): Promise<{ status: number | null; peakRss: number; stderr: string }> {
  const report =
    "process.on('exit',()=>process.stderr.write('\\nPEAK_RSS '+process.resourceUsage().maxRSS*1024+'\\n'))"
  const child = spawn(process.execPath, [
    '--import',
    `data:text/javascript,${encodeURIComponent(report)}`,
    CLI,
    ...args,
  ])
  let stderr = ''
  child.stderr.on('data', (data) => {
    stderr += data
  })
  return new Promise((resolve) =>
    child.on('close', (status) => {
      const peakRss = Number(/PEAK_RSS (\d+)/.exec(stderr)?.[1] ?? Number.NaN)
      resolve({ status, peakRss, stderr })
    }),
  )
}

/** Runs the CLI without blocking this process (needed when this process also serves it, e.g. over HTTP). */
export function astropackAsync(...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args])
  const out: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (data: Buffer) => out.push(data))
  child.stderr.on('data', (data) => {
    stderr += data
  })
  return new Promise((resolve) =>
    child.on('close', (status) => {
      const stdoutBytes = Buffer.concat(out)
      resolve({ status, stdout: stdoutBytes.toString(), stderr, stdoutBytes })
    }),
  )
}
