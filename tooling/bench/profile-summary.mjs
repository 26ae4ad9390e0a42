// Summarises the profiles `node --cpu-prof --cpu-prof-dir=DIR apps/cli/dist/main.js <command>` writes, one per
// thread: each thread's functions by self time, then each worker's idle gaps of at least GAP ms with what the
// main thread did meanwhile (a worker waiting on the main thread, or on the order results are applied in).
//   node tooling/bench/profile-summary.mjs DIR [--top 15] [--gap 40]
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' }, gap: { type: 'string', default: '40' } },
})
const dir = positionals[0]
if (!dir) {
  console.error('usage: node tooling/bench/profile-summary.mjs DIR [--top 15] [--gap 40]')
  process.exit(2)
}
const top = Number(values.top)
const gap = Number(values.gap)

/** A profile's samples as { t (µs), name }, in time order. */
function samples(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  let t = profile.startTime
  return profile.samples.map((id, i) => {
    t += profile.timeDeltas[i]
    const { functionName, url, lineNumber } = nodes.get(id).callFrame
    const file = url.split('/').slice(-2).join('/')
    return {
      t,
      name: functionName ? `${functionName} ${file}:${lineNumber}` : `(anonymous) ${file}:${lineNumber}`,
    }
  })
}

// Profiles are named CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.cpuprofile'))
  .sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]))
const threads = files.map((name) => ({ name, profile: JSON.parse(readFileSync(join(dir, name), 'utf8')) }))
for (const { name, profile } of threads) {
  const self = new Map()
  for (const [i, { name: fn }] of samples(profile).entries())
    self.set(fn, (self.get(fn) ?? 0) + profile.timeDeltas[i])
  const wall = (profile.endTime - profile.startTime) / 1000
  console.log(`== ${name}: ${wall.toFixed(0)} ms`)
  for (const [fn, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${fn}`)
}

const main = samples(threads[0].profile)
for (const { name, profile } of threads.slice(1)) {
  let start
  let total = 0
  for (const { t, name: fn } of samples(profile)) {
    if (fn.startsWith('(idle)')) start ??= t
    else if (start !== undefined) {
      const ms = (t - start) / 1000
      if (ms >= gap) {
        total += ms
        const busy = new Map()
        for (const m of main)
          if (m.t >= start && m.t <= t && !m.name.startsWith('(idle)'))
            busy.set(m.name, (busy.get(m.name) ?? 0) + 1)
        const what = [...busy]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([f, n]) => `${f} x${n}`)
        const at = (start - threads[0].profile.startTime) / 1000
        console.log(
          `${name}: idle ${ms.toFixed(0)} ms at ${at.toFixed(0)} ms; main: ${what.join(', ') || 'idle'}`,
        )
      }
      start = undefined
    }
  }
  console.log(`${name}: ${total.toFixed(0)} ms idle in gaps of ${gap} ms or more`)
}
