/** Applies a piece of work's result (writes it, checks it, ...), in push order. */
export type Apply = () => Promise<void> | void

/**
 * Work started in order, possibly finishing out of order, whose results are applied strictly in order
 * by a consumer running alongside the producer (so reading, coding and writing overlap). At most `limit`
 * items are pushed but not yet applied: `push` waits beyond that, which bounds memory (backpressure).
 * The first failure stops the consumer and is thrown by the next `push` or by `drain`.
 */
export class OrderedQueue {
  readonly #limit: number
  #unapplied = 0
  #tail: Promise<void> = Promise.resolve()
  #waiters: (() => void)[] = []

  constructor(limit: number) {
    this.#limit = limit
  }

  async push(work: Promise<Apply>): Promise<void> {
    work.catch(() => {}) // observed when its turn comes; avoids an unhandled rejection meanwhile
    this.#unapplied++
    this.#tail = this.#tail.then(async () => {
      await (await work)()
      this.#unapplied--
      for (const wake of this.#waiters.splice(0)) wake()
    })
    this.#tail.catch(() => {})
    while (this.#unapplied >= this.#limit) {
      await Promise.race([this.#tail, new Promise<void>((resolve) => this.#waiters.push(resolve))])
    }
  }

  /** Waits until everything pushed is applied. */
  drain(): Promise<void> {
    return this.#tail
  }
}

/**
 * Work whose order does not matter (a written file's close and rename), run beside the ordered work, at
 * most `limit` at a time: `add` waits beyond that. The first failure is thrown by the next `add` or by
 * `settle`.
 */
export class BoundedTasks {
  readonly #limit: number
  readonly #running = new Set<Promise<void>>()
  #failure: { error: unknown } | undefined

  constructor(limit: number) {
    this.#limit = limit
  }

  async add(work: () => Promise<void>): Promise<void> {
    this.#throwFailure()
    const running: Promise<void> = work()
      .catch((error) => {
        this.#failure ??= { error }
      })
      .finally(() => this.#running.delete(running))
    this.#running.add(running)
    while (this.#running.size >= this.#limit) await Promise.race(this.#running)
    this.#throwFailure()
  }

  /** Waits for everything added; throws the first failure. */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running)
    this.#throwFailure()
  }

  #throwFailure(): void {
    if (this.#failure) throw this.#failure.error
  }
}
