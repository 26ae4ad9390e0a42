import { AstropackError } from '@astropack/codecs'
import type { ByteSource } from '../byte-source.js'

/** Bytes read from the source at a time, by default. */
export const DEFAULT_SLICE_BYTES = 4 * 1024 * 1024

/** Encodings an XML declaration may name that TextDecoder reads; anything else is refused. */
const ENCODINGS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'windows-1252'])

/** Picks the decoder from a byte order mark or the XML declaration; refuses what is not XML at all. */
function decoderFor(head: Uint8Array): TextDecoder {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true })
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true })
  const text = new TextDecoder('latin1').decode(head)
  const start = text.replace(/^\xEF\xBB\xBF/, '').trimStart()
  if (!start.startsWith('<')) {
    throw new AstropackError('BAD_MAGIC', 'VOTable: not XML (the first character is not "<")', { offset: 0 })
  }
  const declared = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(start)?.[1]?.toLowerCase()
  if (declared !== undefined && !ENCODINGS.has(declared)) {
    throw new AstropackError('UNSUPPORTED_FEATURE', `VOTable: the XML encoding ${declared} is not read`)
  }
  return new TextDecoder(declared ?? 'utf-8', { fatal: true })
}

/** The source's text, one decoded slice at a time (a character split between slices is kept whole). */
export async function* textSlices(
  source: ByteSource,
  sliceBytes = DEFAULT_SLICE_BYTES,
): AsyncGenerator<string> {
  if (!Number.isSafeInteger(sliceBytes) || sliceBytes < 1) {
    throw new AstropackError('USAGE', `sliceBytes must be a positive integer, not ${sliceBytes}`)
  }
  if (source.byteLength === 0) throw new AstropackError('BAD_MAGIC', 'VOTable: the file is empty')
  let decoder: TextDecoder | undefined
  for (let offset = 0; offset < source.byteLength; offset += sliceBytes) {
    const bytes = await source.slice(offset, Math.min(offset + sliceBytes, source.byteLength))
    if (bytes.byteLength === 0)
      throw new AstropackError('TRUNCATED', 'VOTable: the source ended early', { offset })
    decoder ??= decoderFor(bytes.subarray(0, 256))
    try {
      yield decoder.decode(bytes, { stream: true })
    } catch (error) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `VOTable: invalid ${decoder.encoding} text near byte ${offset}`,
        {
          offset,
          cause: error,
        },
      )
    }
  }
  try {
    yield (decoder as TextDecoder).decode()
  } catch (error) {
    throw new AstropackError('CORRUPT_CHUNK', 'VOTable: the text ends inside a character', { cause: error })
  }
}
