import * as browser from '../src/index.browser.js'
import type { Codec } from '../src/index.js'
import * as node from '../src/index.js'

export type Entry = { readonly label: string; readonly api: typeof node }

/** Both builds run under Node (the browser one through its wasm and TypeScript codecs), so every suite runs both. */
export const ENTRIES: readonly Entry[] = [
  { label: 'node', api: node },
  { label: 'browser', api: browser },
]

export function loadAll(entry: Entry): Promise<Codec[]> {
  return Promise.all(entry.api.codecNames.map((name) => entry.api.loadCodec(name)))
}
