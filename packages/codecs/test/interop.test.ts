import { beforeAll, describe, expect, it } from 'vitest'
import type { Codec } from '../src/index.js'
import { ENTRIES } from './entries.js'
import {
  bigSample,
  CALLS,
  describeWithCli,
  expectBytes,
  expectCode,
  noise,
  run,
  SAMPLES,
  sample,
  samplePath,
} from './helpers.js'

const MiB = 1 << 20
/** Over 4 MiB: our lz4 frames then hold two 4 MiB blocks, and the CLI's -B4 frames about seventy. */
const BIG = bigSample(4 * MiB + 123_457)
const EMPTY = new Uint8Array(0)

/** Inputs for CLI round trips: each real sample, nothing, and the big one (read from stdin). */
const INPUTS: [string, Uint8Array][] = [
  ...SAMPLES.map((f): [string, Uint8Array] => [f, sample(f)]),
  ['empty', EMPTY],
]

for (const { label, api } of ENTRIES)
  for (const { via, wrap } of CALLS) {
    describe(`${label} codecs interoperate with the real CLIs (${via})`, () => {
      const codecs: Record<string, Codec> = {}
      beforeAll(async () => {
        for (const name of api.codecNames) codecs[name] = wrap(await api.loadCodec(name))
      })

      describeWithCli(['zstd'], 'zstd', () => {
        it('our frames decode with zstd -d', () => {
          for (const [, raw] of [...INPUTS, ['big', BIG] as const]) {
            for (const level of [1, 3])
              expectBytes(run('zstd', ['-d', '-c'], codecs.zstd!.encode(raw, level)), raw)
          }
          // The slow high levels on a small file only.
          const text = sample('docs/cds-ReadMe.txt')
          for (const level of [9, 19, 22])
            expectBytes(run('zstd', ['-d', '-c'], codecs.zstd!.encode(text, level)), text)
        })

        it('zstd CLI frames decode with ours: from a pipe (no content size), from a file (content size), no checksum', () => {
          for (const [file, raw] of INPUTS) {
            const frames = [run('zstd', ['-3', '-c'], raw), run('zstd', ['-9', '--no-check', '-c'], raw)]
            if (file !== 'empty') frames.push(run('zstd', ['-3', '-c', samplePath(file)]))
            for (const frame of frames) expectBytes(codecs.zstd!.decode(frame, raw.byteLength), raw)
          }
          expectBytes(codecs.zstd!.decode(run('zstd', ['-1', '-c'], BIG), BIG.byteLength), BIG)
        })

        it('a zstd CLI frame with a damaged content checksum is refused', () => {
          const raw = sample('docs/cds-ReadMe.txt')
          const frame = run('zstd', ['-3', '-c'], raw)
          frame[frame.byteLength - 1]! ^= 0x01
          expectCode('CORRUPT_CHUNK', () => codecs.zstd!.decode(frame, raw.byteLength))
        })
      })

      describeWithCli(['lz4'], 'lz4', () => {
        it('our frames decode with lz4 -d, including multi-block ones', () => {
          // Noise makes blocks that do not shrink, which our frames store raw.
          const raws = [...INPUTS.map(([, raw]) => raw), BIG, noise(5, 100_000), noise(6, 4 * MiB + 10)]
          for (const raw of raws) expectBytes(run('lz4', ['-d', '-c'], codecs.lz4!.encode(raw)), raw)
        })

        // The CLI default is independent blocks (-BI), 4 MiB blocks (-B7), a content checksum and no content size.
        const variants = [
          [],
          ['-B7', '--content-size'],
          ['-BX'],
          ['-BX', '--no-frame-crc'],
          ['-BI', '--no-frame-crc'],
          ['-B4', '-BX', '--content-size'],
          ['-B5'],
          ['-B6', '-9'],
          ['--fast=3'],
        ]
        for (const flags of variants) {
          it(`lz4 ${flags.join(' ') || '(defaults)'} frames decode with ours`, () => {
            for (const [file, raw] of INPUTS) {
              // The content size is only known when the CLI reads a file.
              const input = file === 'empty' ? [] : [samplePath(file)]
              const frame = input.length
                ? run('lz4', ['-c', ...flags, ...input])
                : run('lz4', ['-c', ...flags], raw)
              expectBytes(codecs.lz4!.decode(frame, raw.byteLength), raw)
            }
          })
        }

        it('lz4 CLI frames of many blocks decode with ours, with and without block checksums', () => {
          for (const flags of [['-B4'], ['-B4', '-BX'], ['-B7', '-BX']]) {
            expectBytes(codecs.lz4!.decode(run('lz4', ['-c', ...flags], BIG), BIG.byteLength), BIG)
          }
        })

        it('linked-block (-BD) and legacy (-l) frames are refused with a typed error', () => {
          const raw = sample('tables/jpl-sbdb-asteroids.csv')
          // The CLI marks a frame linked only when it has more than one block, hence -B4 (64 KiB blocks).
          const frame = run('lz4', ['-c', '-BD', '-B4'], raw)
          const linked = expectCode('CORRUPT_CHUNK', () => codecs.lz4!.decode(frame, raw.byteLength))
          expect(linked.message).toMatch(/linked blocks/)
          expectCode('CORRUPT_CHUNK', () => codecs.lz4!.decode(run('lz4', ['-c', '-l'], raw), raw.byteLength))
        })

        it('damaged block and content checksums in CLI frames are refused', () => {
          const raw = sample('docs/cds-ReadMe.txt')
          const blockChecked = run('lz4', ['-c', '-BX', '--no-frame-crc'], raw)
          blockChecked[40]! ^= 0x10 // inside the first block's data
          expectCode('CORRUPT_CHUNK', () => codecs.lz4!.decode(blockChecked, raw.byteLength))
          const contentChecked = run('lz4', ['-c'], raw)
          contentChecked[contentChecked.byteLength - 1]! ^= 0x01
          expectCode('CORRUPT_CHUNK', () => codecs.lz4!.decode(contentChecked, raw.byteLength))
        })
      })

      describeWithCli(['gzip'], 'gzip', () => {
        it('our members decode with gzip -d', () => {
          for (const [, raw] of INPUTS) {
            for (const level of [1, 6, 9])
              expectBytes(run('gzip', ['-d', '-c'], codecs.gzip!.encode(raw, level)), raw)
          }
          expectBytes(run('gzip', ['-d', '-c'], codecs.gzip!.encode(BIG, 1)), BIG)
        })

        it('gzip CLI members decode with ours, with and without a stored file name', () => {
          for (const [file, raw] of INPUTS) {
            const members = [
              run('gzip', ['-c'], raw),
              run('gzip', ['-9', '-n', '-c'], raw),
              run('gzip', ['-1', '-c'], raw),
            ]
            if (file !== 'empty') members.push(run('gzip', ['-c', samplePath(file)]))
            for (const member of members) expectBytes(codecs.gzip!.decode(member, raw.byteLength), raw)
          }
          expectBytes(codecs.gzip!.decode(run('gzip', ['-1', '-c'], BIG), BIG.byteLength), BIG)
        })
      })
    })
  }
