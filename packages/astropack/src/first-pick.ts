import type { TransformStep } from '@astropack/codecs'
import { OPAQUE } from './layouts/segments.js'
import type { EncodedPart } from './workers/chunk-ops.js'

/**
 * How a segment's pieces (chunks, row or text groups) get their transform chains: the first picks on a
 * sample and its pick serves the rest (FirstPick).
 */

export type Candidates = TransformStep[][] | 'probe'
/** What a piece that picked leaves to the pieces after it: its chain, and its level (see encodePart). */
export interface Choice {
  candidates: Candidates
  level: number
}

/**
 * Pieces (chunks, row or text groups) after a segment's first that pick their chains by their own sample
 * instead of waiting for the first one's: a fixed number, not a race, so the same input always packs to the
 * same bytes.
 */
const SAMPLED_CHUNKS = 2

/**
 * A segment's choice of transform chains: its first piece picks them on a sample (pickBySample) and its
 * pick serves the rest, but for the next SAMPLED_CHUNKS, which pick their own so that the other workers
 * need not wait for the first. Trying every chain on the whole first piece instead cost ~20% of packing
 * the corpus (4.84 -> 4.02 s, 8.0 -> 6.9 s of CPU) for 0.2% of package size, most of it won back by
 * sampling across the piece rather than its start.
 */
export class FirstPick<T> {
  #index = 0
  #first: Promise<T> | undefined
  #chosen: T | undefined

  /** For the next piece: the first's pick once it must be used (waiting for it), and whether it is first. */
  async next(): Promise<{ chosen: T | undefined; first: boolean }> {
    const index = this.#index++
    if (index > SAMPLED_CHUNKS) this.#chosen ??= await this.#first
    return { chosen: this.#chosen, first: index === 0 }
  }

  /** The first piece's pick, from its result. */
  decide(pick: Promise<T>): void {
    this.#first = pick
    pick.catch(() => {}) // a failure is the queue's to report, even if no later piece waits here
  }
}

export const NO_PICK = { chosen: undefined, first: false } as const

/**
 * What a chunk tries: typed candidates until the first chunk has chosen; for data of unknown layout, a
 * probe of every chunk (different regions of an opaque file hold different things).
 */
export function initial(candidates: TransformStep[][]): Candidates {
  return candidates === OPAQUE ? 'probe' : candidates
}
export function next(candidates: Candidates, part: EncodedPart): Choice {
  return { candidates: candidates === 'probe' ? 'probe' : [part.steps], level: part.level }
}
