/**
 * Work started in order, possibly finishing out of order, whose results must be applied in order:
 * at most `limit` items are in flight, which bounds memory (backpressure on the producer).
 */
export class OrderedQueue {
  readonly #limit: number
  readonly #items: Promise<() => Promise<void> | void>[] = []

  constructor(limit: number) {
    this.#limit = limit
  }

  /** Adds work; waits while the queue is full, applying finished items from the front. */
  async push(work: Promise<() => Promise<void> | void>): Promise<void> {
    work.catch(() => {}) // observed when its turn comes; avoids an unhandled rejection meanwhile
    this.#items.push(work)
    while (this.#items.length >= this.#limit) await this.#applyFirst()
  }

  async drain(): Promise<void> {
    while (this.#items.length > 0) await this.#applyFirst()
  }

  async #applyFirst(): Promise<void> {
    const apply = await this.#items.shift()!
    await apply()
  }
}
