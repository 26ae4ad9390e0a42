// The decimal kernels of the WebAssembly module, as text (WAT): src/decimal.ts says what they compute, in
// the same IEEE double arithmetic, so they give its bytes. scripts/kernels-wasm.ts assembles the module.

/** The export name of a decimal kernel (src/wasm-kernels.ts looks them up by it). */
function decimalName(width: 4 | 8, decode: boolean): string {
  return `decimal${width}${decode ? 'Decode' : 'Encode'}`
}

/** How each width reads: its float, its integer, the bias 2^m and the shift that leaves its zero top bits. */
const WIDTHS = {
  4: { int: 'i32', float: 'f32', bias: '0x800000', limit: '0x1p23', top: 24 },
  8: { int: 'i64', float: 'f64', bias: '0x10000000000000', limit: '0x1p52', top: 53 },
} as const

/**
 * name(p, n, power): the n little-endian elements at p, in place. Decode: an element whose top bits are zero
 * is k + 2^m and becomes the float k / power; others keep their bits. Encode: the reverse where it keeps
 * the float (not -0), and returns 1 at the first element it cannot keep (top bits zero: a subnormal), 0
 * when all went.
 */
function decimal(width: 4 | 8, decode: boolean): string {
  const { int, float, bias, limit, top } = WIDTHS[width]
  const name = decimalName(width, decode)
  const topZero = `(${int}.eqz (${int}.shr_u (local.get $bits) (${int}.const ${top})))`
  const toF64 = (x: string) => (width === 4 ? `(f64.promote_f32 ${x})` : x)
  const fromF64 = (x: string) => (width === 4 ? `(f32.demote_f64 ${x})` : x)
  const body = decode
    ? `(if ${topZero} (then
          (${float}.store (local.get $a)
            ${fromF64(`(f64.div (f64.convert_${int}_s (${int}.sub (local.get $bits) (${int}.const ${bias}))) (local.get $power))`)})))`
    : `(local.set $value (${float}.load (local.get $a)))
        ;; Math.round: the nearest integer, halves up. From f64.nearest (halves to even), so the branch is
        ;; taken only at a half: Math.round's floor and branch on the rest, which float32 magnitudes times
        ;; 1000 leave on either side of 0.5 at random, took 10-11 ns an element, mostly mispredictions.
        (local.set $x (f64.mul ${toF64('(local.get $value)')} (local.get $power)))
        (local.set $k (f64.nearest (local.get $x)))
        (if (f64.eq (f64.sub (local.get $x) (local.get $k)) (f64.const 0.5))
          (then (local.set $k (f64.add (local.get $k) (f64.const 1)))))
        (if (i32.and
              (f64.lt (f64.abs (local.get $k)) (f64.const ${limit}))
              (i32.and
                (${float}.eq ${fromF64('(f64.div (local.get $k) (local.get $power))')} (local.get $value))
                (i32.eqz (${int}.eq (${int}.reinterpret_${float} (local.get $value)) (${int}.shl (${int}.const 1) (${int}.const ${8 * width - 1}))))))
          (then (${int}.store (local.get $a) (${int}.add (${int}.trunc_f64_s (local.get $k)) (${int}.const ${bias}))))
          (else (if ${topZero} (then (return (i32.const 1))))))`
  return `
  (func $${name} (param $p i32) (param $n i32) (param $power f64) (result i32)
    (local $a i32) (local $end i32) (local $bits ${int}) (local $value ${float}) (local $x f64) (local $k f64)
    (local.set $a (local.get $p))
    (local.set $end (i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${width}))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $bits (${int}.load (local.get $a)))
      ${body}
      (local.set $a (i32.add (local.get $a) (i32.const ${width})))
      (br $next)))
    (i32.const 0))
  (export "${name}" (func $${name}))`
}

/** The functions: a decimal kernel for each width and direction. */
export function decimalWat(): string {
  return ([4, 8] as const)
    .flatMap((width) => [false, true].map((decode) => decimal(width, decode)))
    .join('\n')
}
