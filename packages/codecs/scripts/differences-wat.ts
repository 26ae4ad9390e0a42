// The difference kernels (delta, delta-zigzag) of the WebAssembly module, as text (WAT), one function per
// width, direction and zigzag, and a byte reversal for big-endian values. scripts/kernels-wasm.ts
// assembles the module.

const WIDTHS = [1, 2, 4, 8] as const
type Width = (typeof WIDTHS)[number]

/** How a value of each width is loaded, stored and computed on: i64 for 8 bytes, i32 below. */
function kind(width: Width) {
  const type = width === 8 ? 'i64' : 'i32'
  const bits = width === 8 ? 64 : 32
  const load = { 1: 'i32.load8_u', 2: 'i32.load16_u', 4: 'i32.load', 8: 'i64.load' }[width]
  const store = { 1: 'i32.store8', 2: 'i32.store16', 4: 'i32.store', 8: 'i64.store' }[width]
  // A difference of 1 or 2 bytes computed in 32 bits, sign-extended from its own width.
  const signed = { 1: 'i32.extend8_s', 2: 'i32.extend16_s', 4: '', 8: '' }[width]
  return { type, bits, load, store, signed }
}

/** Differences by subtraction (delta, delta-zigzag) or by XOR (xor). */
type Operation = 'delta' | 'xor'

/** The export name of a difference kernel (src/wasm-kernels.ts looks them up by it). */
function differenceName(operation: Operation, width: number, decode: boolean, zigzag: boolean): string {
  return `${operation}${width}${decode ? 'Decode' : 'Encode'}${zigzag ? 'Zigzag' : ''}`
}

/**
 * name(p, first, n, lag): elements first to n - 1 of the n at p, each `width` bytes, little-endian, become
 * their difference with the element `lag` before (0 before the first), zigzagged or not, or XOR with it,
 * or back (decode), in place. Decoding runs forward (the earlier element is already decoded); encoding runs
 * backward (it is not yet encoded). Elements before `first` are context, left as they are.
 */
function difference(operation: Operation, width: Width, decode: boolean, zigzag: boolean): string {
  const { type, bits, load, store, signed } = kind(width)
  const [undo, apply] = operation === 'xor' ? ['xor', 'xor'] : ['add', 'sub']
  const value = (at: string) => `(${load} ${at})`
  const earlier = '(local.get $b)'
  // (x >>> 1) ^ -(x & 1), and back: (d << 1) ^ (d >> bits - 1), d sign-extended from its width.
  const unzigzagged = (x: string) =>
    `(${type}.xor (${type}.shr_u ${x} (${type}.const 1)) (${type}.sub (${type}.const 0) (${type}.and ${x} (${type}.const 1))))`
  const zigzagged = (d: string) =>
    `(${type}.xor (${type}.shl ${d} (${type}.const 1)) (${type}.shr_s ${d} (${type}.const ${bits - 1})))`
  // Decode: x unzigzagged, plus the earlier element. Encode: this minus the earlier one, zigzagged.
  const step = (withEarlier: boolean) => {
    if (decode) {
      const x = zigzag ? unzigzagged(value('(local.get $a)')) : value('(local.get $a)')
      return `(${store} (local.get $a) ${withEarlier ? `(${type}.${undo} ${x} ${value(earlier)})` : x})`
    }
    let d = withEarlier
      ? `(${type}.${apply} ${value('(local.get $a)')} ${value(earlier)})`
      : value('(local.get $a)')
    if (zigzag) {
      if (signed) d = `(${signed} ${d})`
      return `(local.set $d ${d})
        (${store} (local.get $a) ${zigzagged('(local.get $d)')})`
    }
    return `(${store} (local.get $a) ${d})`
  }
  // Elements from..to - 1 (forward, decoding: each after the earlier one it adds) or to - 1 down to from
  // (backward, encoding: each before the earlier one it subtracts is changed), with or without an earlier one.
  const range = (from: string, to: string, withEarlier: boolean, label: string) => {
    const [first, past, next] = decode
      ? [from, `(i32.ge_s (local.get $i) ${to})`, 'i32.add']
      : [`(i32.sub ${to} (i32.const 1))`, `(i32.lt_s (local.get $i) ${from})`, 'i32.sub']
    return `(local.set $i ${first})
      (block $${label}_done (loop $${label}
        (br_if $${label}_done ${past})
        (local.set $a (i32.add (local.get $p) (i32.mul (local.get $i) (i32.const ${width}))))
        (local.set $b (i32.sub (local.get $a) (local.get $back)))
        ${step(withEarlier)}
        (local.set $i (${next} (local.get $i) (i32.const 1)))
        (br $${label})))`
  }
  // With a lag of 1 the earlier element stays in a local ($prev): 2-3x the loop through memory for 1- and
  // 2-byte elements, whose differences take a few cycles each.
  const carried = () => {
    const x = value('(local.get $a)')
    const d = signed
      ? `(${signed} (${type}.${apply} (local.get $x) (local.get $prev)))`
      : `(${type}.${apply} (local.get $x) (local.get $prev))`
    const body = decode
      ? `(local.set $x ${x})
          (local.set $prev (${type}.${undo} ${zigzag ? unzigzagged('(local.get $x)') : '(local.get $x)'} (local.get $prev)))
          (${store} (local.get $a) (local.get $prev))`
      : `(local.set $x ${x})
          (local.set $d ${d})
          (local.set $prev (local.get $x))
          (${store} (local.get $a) ${zigzag ? zigzagged('(local.get $d)') : '(local.get $d)'})`
    return `(local.set $i ${laterStart})
      (if (i32.lt_s (local.get $i) (local.get $n)) (then
        (local.set $a (i32.add (local.get $p) (i32.mul (local.get $i) (i32.const ${width}))))
        (local.set $prev ${value(`(i32.sub (local.get $a) (i32.const ${width}))`)})
        (local.set $end (i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${width}))))
        (block $carried_done (loop $carried
          (br_if $carried_done (i32.ge_u (local.get $a) (local.get $end)))
          ${body}
          (local.set $a (i32.add (local.get $a) (i32.const ${width})))
          (br $carried)))))`
  }
  const lagEnd = '(select (local.get $lag) (local.get $n) (i32.lt_s (local.get $lag) (local.get $n)))'
  const laterStart =
    '(select (local.get $first) (local.get $lag) (i32.gt_s (local.get $first) (local.get $lag)))'
  const withoutEarlier = range('(local.get $first)', lagEnd, false, 'alone')
  const withEarlier = `(if (i32.eq (local.get $lag) (i32.const 1))
      (then ${carried()})
      (else ${range(laterStart, '(local.get $n)', true, 'later')}))`
  const name = differenceName(operation, width, decode, zigzag)
  return `
  (func $${name} (param $p i32) (param $first i32) (param $n i32) (param $lag i32)
    (local $i i32) (local $a i32) (local $b i32) (local $back i32) (local $end i32)
    (local $d ${type}) (local $x ${type}) (local $prev ${type})
    (local.set $back (i32.mul (local.get $lag) (i32.const ${width})))
    ${decode ? `${withoutEarlier}\n    ${withEarlier}` : `${withEarlier}\n    ${withoutEarlier}`})
  (export "${name}" (func $${name}))`
}

/**
 * splitDeltaWE(p, first, n, bits): elements first to n - 1 of the n at p (little-endian, `width` bytes)
 * become their split difference (SPEC §7.1 ops 13, 14), or back (decode), in place. With B = x + 2^(bits -
 * 1): the high part B >> bits minus the previous element's, zigzagged in the top 8 width - bits bits, and
 * the low part less 2^(bits - 1), zigzagged in the low `bits`. Runs forward in both directions with the
 * previous high part in a local; the element before `first` is context (encoded: the original, decoded:
 * the result), 0 before the first of all.
 */
function splitDelta(width: 4 | 8, decode: boolean): string {
  const t = width === 8 ? 'i64' : 'i32'
  const top = width * 8 - 1
  const zigzag = (v: string) =>
    `(${t}.xor (${t}.shl ${v} (${t}.const 1)) (${t}.shr_s ${v} (${t}.const ${top})))`
  const unzigzag = (v: string) =>
    `(${t}.xor (${t}.shr_u ${v} (${t}.const 1)) (${t}.sub (${t}.const 0) (${t}.and ${v} (${t}.const 1))))`
  const high = (x: string) => `(${t}.shr_u (${t}.add ${x} (local.get $half)) (local.get $k))`
  // Encode: the high parts' difference d in the top bits (d << bits, whose zigzag there is (D << 1) XOR
  // (sign << bits)) beside the zigzagged low part. Decode: each part unzigzagged, the high part added on.
  const body = decode
    ? `(local.set $x (${t}.load (local.get $a)))
        (local.set $d (${t}.shr_u (local.get $x) (local.get $k)))
        (local.set $prev (${t}.add (local.get $prev) ${unzigzag('(local.get $d)')}))
        (local.set $r (${t}.and (local.get $x) (local.get $mask)))
        (${t}.store (local.get $a) (${t}.sub
          (${t}.or (${t}.shl (local.get $prev) (local.get $k))
            (${t}.and (${t}.add ${unzigzag('(local.get $r)')} (local.get $half)) (local.get $mask)))
          (local.get $half)))`
    : `(local.set $x (${t}.load (local.get $a)))
        (local.set $d (${t}.shl (${t}.sub ${high('(local.get $x)')} (local.get $prev)) (local.get $k)))
        (local.set $prev ${high('(local.get $x)')})
        (local.set $r (${t}.sub (${t}.and (${t}.add (local.get $x) (local.get $half)) (local.get $mask)) (local.get $half)))
        (${t}.store (local.get $a) (${t}.or
          (${t}.xor (${t}.shl (local.get $d) (${t}.const 1))
            (${t}.shl (${t}.shr_s (local.get $d) (${t}.const ${top})) (local.get $k)))
          ${zigzag('(local.get $r)')}))`
  const name = `splitDelta${width}${decode ? 'Decode' : 'Encode'}`
  const k = width === 8 ? '(i64.extend_i32_u (local.get $bits))' : '(local.get $bits)'
  return `
  (func $${name} (param $p i32) (param $first i32) (param $n i32) (param $bits i32)
    (local $a i32) (local $end i32) (local $k ${t}) (local $half ${t}) (local $mask ${t})
    (local $x ${t}) (local $d ${t}) (local $r ${t}) (local $prev ${t})
    (local.set $k ${k})
    (local.set $half (${t}.shl (${t}.const 1) (${t}.sub (local.get $k) (${t}.const 1))))
    (local.set $mask (${t}.sub (${t}.shl (${t}.const 1) (local.get $k)) (${t}.const 1)))
    (local.set $a (i32.add (local.get $p) (i32.mul (local.get $first) (i32.const ${width}))))
    (local.set $end (i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${width}))))
    (if (i32.gt_s (local.get $first) (i32.const 0)) (then
      (local.set $prev ${high(`(${t}.load (i32.sub (local.get $a) (i32.const ${width})))`)})))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      ${body}
      (local.set $a (i32.add (local.get $a) (i32.const ${width})))
      (br $each))))
  (export "${name}" (func $${name}))`
}

/** swapBytes(p, bytes, width): reverses the bytes of each element of 2, 4 or 8 bytes, 16 bytes at a time. */
function swapBytes(): string {
  const lanes = (width: number) =>
    Array.from({ length: 16 }, (_, j) => j - (j % width) + (width - 1 - (j % width))).join(' ')
  const vector = (width: number) =>
    `(if (i32.eq (local.get $width) (i32.const ${width})) (then
          (v128.store (local.get $a) (i8x16.shuffle ${lanes(width)} (v128.load (local.get $a)) (v128.load (local.get $a))))))`
  return `
  (func $swapBytes (param $p i32) (param $bytes i32) (param $width i32)
    (local $a i32) (local $end i32) (local $j i32) (local $k i32) (local $byte i32)
    (local.set $a (local.get $p))
    (local.set $end (i32.add (local.get $p) (local.get $bytes)))
    (block $wide_done (loop $wide
      (br_if $wide_done (i32.gt_u (i32.add (local.get $a) (i32.const 16)) (local.get $end)))
      ${[2, 4, 8].map(vector).join('\n      ')}
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (br $wide)))
    (block $one_done (loop $one
      (br_if $one_done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $j (local.get $a))
      (local.set $k (i32.sub (i32.add (local.get $a) (local.get $width)) (i32.const 1)))
      (block $pair_done (loop $pair
        (br_if $pair_done (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $byte (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $j) (i32.load8_u (local.get $k)))
        (i32.store8 (local.get $k) (local.get $byte))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $pair)))
      (local.set $a (i32.add (local.get $a) (local.get $width)))
      (br $one))))
  (export "swapBytes" (func $swapBytes))`
}

/**
 * The functions: swapBytes, a delta kernel for every width, direction and zigzag, an xor one for every width
 * and direction, a split-delta one for widths 4 and 8 and each direction.
 */
export function differencesWat(): string {
  const kernels = WIDTHS.flatMap((width) =>
    [false, true].flatMap((decode) => [
      ...[false, true].map((zigzag) => difference('delta', width, decode, zigzag)),
      difference('xor', width, decode, false),
    ]),
  )
  const splits = ([4, 8] as const).flatMap((width) =>
    [false, true].map((decode) => splitDelta(width, decode)),
  )
  return [swapBytes(), ...kernels, ...splits].join('\n')
}
