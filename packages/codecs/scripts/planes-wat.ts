// The byte- and bit-plane kernels (shuffle, bitshuffle) of the WebAssembly module, as text (WAT): the
// 16-byte transposes are unrolled by the functions below. scripts/kernels-wasm.ts assembles the module.
export const get = (name: string) => `(local.get ${name})`
/** i8x16.shuffle of a (lanes 0-15) and b (lanes 16-31). */
const shuffle = (lanes: number[], a: string, b: string) => `(i8x16.shuffle ${lanes.join(' ')} ${a} ${b})`

/** Lanes that interleave units of `unit` bytes of a and b, from their low (or high) halves. */
function interleaved(unit: number, high: boolean): number[] {
  const lanes: number[] = []
  for (let i = 0, from = high ? 8 : 0; i < 8 / unit; i++, from += unit)
    for (const base of [from, 16 + from]) for (let j = 0; j < unit; j++) lanes.push(base + j)
  return lanes
}

/** Lanes that take the even (or odd) units of `unit` bytes of a, then of b: the inverse of interleaved. */
function deinterleaved(unit: number, odd: boolean): number[] {
  const lanes: number[] = []
  for (const base of [0, 16])
    for (let i = odd ? 1 : 0; i < 16 / unit; i += 2)
      for (let j = 0; j < unit; j++) lanes.push(base + i * unit + j)
  return lanes
}

const rows = [0, 1, 2, 3, 4, 5, 6, 7]
const v = rows.map((r) => `$v${r}`)
const t = rows.map((r) => `$t${r}`)
const u = rows.map((r) => `$u${r}`)
const vectorLocals = [...v, ...t, ...u, '$x'].map((name) => `(local ${name} v128)`).join(' ')

/**
 * Transposes 8 rows of 16 bytes ($v0-$v7) to 16 columns of 8 bytes, two to a vector: returns the
 * statements (they use $t0-$t7 and $u0-$u7) and, per pair of columns 2m and 2m + 1, its expression.
 */
function transpose(): { statements: string[]; columnPairs: string[] } {
  const statements: string[] = []
  // Bytes of rows 2p and 2p + 1 side by side: $t[2p + half] holds columns 8 half ... 8 half + 7.
  for (let p = 0; p < 4; p++)
    for (const half of [0, 1])
      statements.push(
        `(local.set ${t[2 * p + half]} ${shuffle(interleaved(1, half === 1), get(v[2 * p]!), get(v[2 * p + 1]!))})`,
      )
  // Rows 4q to 4q + 3 side by side: $u[4q + 2 half + quarter] holds columns 8 half + 4 quarter ... + 3.
  for (const q of [0, 1])
    for (const half of [0, 1])
      for (const quarter of [0, 1])
        statements.push(
          `(local.set ${u[4 * q + 2 * half + quarter]} ${shuffle(interleaved(2, quarter === 1), get(t[4 * q + half]!), get(t[4 * q + 2 + half]!))})`,
        )
  // All 8 rows: columns 4c ... 4c + 3 come from $u[c] (rows 0-3) and $u[4 + c] (rows 4-7).
  const columnPairs: string[] = []
  for (let c = 0; c < 4; c++)
    for (const pair of [0, 1])
      columnPairs.push(shuffle(interleaved(4, pair === 1), get(u[c]!), get(u[4 + c]!)))
  return { statements, columnPairs }
}

/**
 * The inverse: 16 columns of 8 bytes, two to a vector ($u0-$u7), to 8 rows of 16 bytes: the statements
 * (they use $t0-$t7 and $v0-$v7) and each row's expression.
 */
function untranspose(): { statements: string[]; rowExpressions: string[] } {
  const statements: string[] = []
  // $t[c] and $t[4 + c]: rows 0-3 and 4-7 of columns 4c ... 4c + 3.
  for (let c = 0; c < 4; c++)
    for (const q of [0, 1])
      statements.push(
        `(local.set ${t[4 * q + c]} ${shuffle(deinterleaved(4, q === 1), get(u[2 * c]!), get(u[2 * c + 1]!))})`,
      )
  // $v[4q + 2 pair + half]: rows 4q + 2 pair and + 1, bytes interleaved, of columns 8 half ... 8 half + 7.
  for (const q of [0, 1])
    for (const half of [0, 1])
      for (const pair of [0, 1])
        statements.push(
          `(local.set ${v[4 * q + 2 * pair + half]} ${shuffle(deinterleaved(2, pair === 1), get(t[4 * q + 2 * half]!), get(t[4 * q + 2 * half + 1]!))})`,
        )
  const rowExpressions: string[] = []
  for (let p = 0; p < 4; p++)
    for (const odd of [0, 1])
      rowExpressions.push(shuffle(deinterleaved(1, odd === 1), get(v[2 * p]!), get(v[2 * p + 1]!)))
  return { statements, rowExpressions }
}

/**
 * The 8 x 8 bit matrix in each 64-bit lane of `name`, transposed about its anti-diagonal: byte r's bit b
 * goes to byte 7 - b's bit 7 - r. Byte r of a lane holding bit plane r of 8 elements (the first one in the
 * high bit) becomes the 8 elements' bytes. Three exchanges of ever smaller blocks (Hacker's Delight 7-3).
 */
function antiTranspose(name: string): string[] {
  const x = get(name)
  return [
    `(local.set $x (v128.xor ${x} (i64x2.shl ${x} (i32.const 36))))`,
    `(local.set ${name} (v128.xor ${x} (v128.and (global.get $k4) (v128.xor (local.get $x) (i64x2.shr_u ${x} (i32.const 36))))))`,
    `(local.set $x (v128.and (global.get $k2) (v128.xor ${x} (i64x2.shl ${x} (i32.const 18)))))`,
    `(local.set ${name} (v128.xor ${x} (v128.xor (local.get $x) (i64x2.shr_u (local.get $x) (i32.const 18)))))`,
    `(local.set $x (v128.and (global.get $k1) (v128.xor ${x} (i64x2.shl ${x} (i32.const 9)))))`,
    `(local.set ${name} (v128.xor ${x} (v128.xor (local.get $x) (i64x2.shr_u (local.get $x) (i32.const 9)))))`,
  ]
}

const K1 = '0xaa00aa00aa00aa00'
const K2 = '0xcccc0000cccc0000'
const K4 = '0xf0f0f0f00f0f0f0f'

/** One 8 x 8 anti-transpose in a 64-bit integer: the groups past the last whole 16. */
const antiTransposeScalar = `
  (func $anti (param $a i64) (result i64) (local $x i64)
    (local.set $x (i64.xor (local.get $a) (i64.shl (local.get $a) (i64.const 36))))
    (local.set $a (i64.xor (local.get $a) (i64.and (i64.const ${K4}) (i64.xor (local.get $x) (i64.shr_u (local.get $a) (i64.const 36))))))
    (local.set $x (i64.and (i64.const ${K2}) (i64.xor (local.get $a) (i64.shl (local.get $a) (i64.const 18)))))
    (local.set $a (i64.xor (local.get $a) (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 18)))))
    (local.set $x (i64.and (i64.const ${K1}) (i64.xor (local.get $a) (i64.shl (local.get $a) (i64.const 9)))))
    (i64.xor (local.get $a) (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 9)))))`

/** A loop over $i from 0 in steps of 16 while 16 more fit below $n, then one by one to $n. */
function loops(wide: string[], one: string[]): string {
  return `
    (block $wide_done (loop $wide
      (br_if $wide_done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
      ${wide.join('\n      ')}
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $wide)))
    (block $one_done (loop $one
      (br_if $one_done (i32.ge_u (local.get $i) (local.get $n)))
      ${one.join('\n      ')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $one)))`
}

/** planesToBytes(src, dst, n): 8 bit planes of n bytes each (plane r at src + r n) to the 8n bytes they hold. */
function planesToBytes(): string {
  const { statements, columnPairs } = transpose()
  const plane = (r: number) => `(i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${r})))`
  return `
  (func $planesToBytes (param $src i32) (param $dst i32) (param $n i32)
    (local $i i32) (local $p i32) (local $a i64) ${vectorLocals}
    ${loops(
      [
        '(local.set $p (i32.add (local.get $src) (local.get $i)))',
        ...v.map((name, r) => `(local.set ${name} (v128.load ${plane(r)}))`),
        ...statements,
        ...columnPairs.map((pair, m) => `(local.set ${v[m]} ${pair})`),
        ...v.flatMap(antiTranspose),
        ...v.map(
          (name, m) =>
            `(v128.store offset=${16 * m} (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3))) ${get(name)})`,
        ),
      ],
      [
        '(local.set $p (i32.add (local.get $src) (local.get $i)))',
        '(local.set $a (i64.const 0))',
        ...rows.map(
          (r) =>
            `(local.set $a (i64.or (local.get $a) (i64.shl (i64.load8_u ${plane(r)}) (i64.const ${8 * r}))))`,
        ),
        '(i64.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3))) (call $anti (local.get $a)))',
      ],
    )})`
}

/** bytesToPlanes(src, dst, n): the inverse, 8n bytes to 8 bit planes of n bytes each. */
function bytesToPlanes(): string {
  const { statements, rowExpressions } = untranspose()
  const plane = (r: number) => `(i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${r})))`
  return `
  (func $bytesToPlanes (param $src i32) (param $dst i32) (param $n i32)
    (local $i i32) (local $p i32) (local $a i64) ${vectorLocals}
    ${loops(
      [
        '(local.set $p (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3))))',
        ...u.map((name, m) => `(local.set ${name} (v128.load offset=${16 * m} (local.get $p)))`),
        ...u.flatMap(antiTranspose),
        ...statements,
        '(local.set $p (i32.add (local.get $dst) (local.get $i)))',
        ...rowExpressions.map((row, r) => `(v128.store ${plane(r)} ${row})`),
      ],
      [
        '(local.set $a (call $anti (i64.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3))))))',
        '(local.set $p (i32.add (local.get $dst) (local.get $i)))',
        ...rows.map((r) => `(i64.store8 ${plane(r)} (i64.shr_u (local.get $a) (i64.const ${8 * r})))`),
      ],
    )})`
}

/**
 * interleave(src, dst, n, width): `width` (2, 4 or 8) byte planes of n bytes each to n elements, and
 * deinterleave(src, dst, n, width) back.
 */
function interleave(): string {
  const plane = (k: number) => `(i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${k})))`
  const { statements, columnPairs } = transpose()
  const widths = {
    8: [
      ...v.map((name, k) => `(local.set ${name} (v128.load ${plane(k)}))`),
      ...statements,
      ...columnPairs.map((pair, m) => `(v128.store offset=${16 * m} (local.get $o) ${pair})`),
    ],
    4: [
      ...[0, 1, 2, 3].map((k) => `(local.set ${v[k]} (v128.load ${plane(k)}))`),
      ...[0, 1].flatMap((half) =>
        [0, 1].map(
          (p) =>
            `(local.set ${t[2 * half + p]} ${shuffle(interleaved(1, half === 1), get(v[2 * p]!), get(v[2 * p + 1]!))})`,
        ),
      ),
      ...[0, 1, 2, 3].map(
        (j) =>
          `(v128.store offset=${16 * j} (local.get $o) ${shuffle(interleaved(2, j % 2 === 1), get(t[2 * (j >> 1)]!), get(t[2 * (j >> 1) + 1]!))})`,
      ),
    ],
    2: [0, 1].map(
      (j) =>
        `(v128.store offset=${16 * j} (local.get $o) ${shuffle(interleaved(1, j === 1), `(v128.load ${plane(0)})`, `(v128.load ${plane(1)})`)})`,
    ),
  }
  return elementLoops('interleave', widths, false)
}

function deinterleave(): string {
  const plane = (k: number) => `(i32.add (local.get $p) (i32.mul (local.get $n) (i32.const ${k})))`
  const { statements, rowExpressions } = untranspose()
  const load = (j: number) => `(v128.load offset=${16 * j} (local.get $o))`
  const widths = {
    8: [
      ...u.map((name, m) => `(local.set ${name} ${load(m)})`),
      ...statements,
      ...rowExpressions.map((row, k) => `(v128.store ${plane(k)} ${row})`),
    ],
    4: [
      ...[0, 1].flatMap((half) =>
        [0, 1].map(
          (pair) =>
            `(local.set ${t[2 * pair + half]} ${shuffle(deinterleaved(2, pair === 1), load(2 * half), load(2 * half + 1))})`,
        ),
      ),
      ...[0, 1, 2, 3].map(
        (k) =>
          `(v128.store ${plane(k)} ${shuffle(deinterleaved(1, k % 2 === 1), get(t[2 * (k >> 1)]!), get(t[2 * (k >> 1) + 1]!))})`,
      ),
    ],
    2: [0, 1].map((k) => `(v128.store ${plane(k)} ${shuffle(deinterleaved(1, k === 1), load(0), load(1))})`),
  }
  return elementLoops('deinterleave', widths, true)
}

/** The loops of interleave or deinterleave: $p at the planes' element $i, $o at element $i itself. */
function elementLoops(name: string, widths: Record<2 | 4 | 8, string[]>, toPlanes: boolean): string {
  const [planes, elements] = toPlanes ? ['$dst', '$src'] : ['$src', '$dst']
  const planeByte = `(i32.add (i32.add (local.get ${planes}) (local.get $i)) (i32.mul (local.get $n) (local.get $k)))`
  const elementByte = `(i32.add (i32.add (local.get ${elements}) (i32.mul (local.get $i) (local.get $width))) (local.get $k))`
  const [to, from] = toPlanes ? [planeByte, elementByte] : [elementByte, planeByte]
  return `
  (func $${name} (param $src i32) (param $dst i32) (param $n i32) (param $width i32)
    (local $i i32) (local $p i32) (local $o i32) (local $k i32) ${vectorLocals}
    ${loops(
      [
        `(local.set $p (i32.add (local.get ${planes}) (local.get $i)))`,
        `(local.set $o (i32.add (local.get ${elements}) (i32.mul (local.get $i) (local.get $width))))`,
        ...([8, 4, 2] as const).map(
          (width) =>
            `(if (i32.eq (local.get $width) (i32.const ${width})) (then\n        ${widths[width].join('\n        ')}))`,
        ),
      ],
      [
        '(local.set $k (i32.const 0))',
        `(block $bytes_done (loop $bytes
        (br_if $bytes_done (i32.eq (local.get $k) (local.get $width)))
        (i32.store8 ${to} (i32.load8_u ${from}))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $bytes)))`,
      ],
    )})`
}

/** The functions (planesToBytes, bytesToPlanes, interleave, deinterleave) and the globals they use. */
export function planesWat(): string {
  return `
  (global $k1 v128 (v128.const i64x2 ${K1} ${K1}))
  (global $k2 v128 (v128.const i64x2 ${K2} ${K2}))
  (global $k4 v128 (v128.const i64x2 ${K4} ${K4}))
  ${antiTransposeScalar}
  ${planesToBytes()}
  ${bytesToPlanes()}
  ${interleave()}
  ${deinterleave()}
  (export "planesToBytes" (func $planesToBytes))
  (export "bytesToPlanes" (func $bytesToPlanes))
  (export "interleave" (func $interleave))
  (export "deinterleave" (func $deinterleave))`
}
