// Packed, cache-blocked single-precision matrix product in the BLIS loop order:
// a KC×NC panel of B is packed once and reused by every MC-row block of A; inside,
// a 5×8 register tile (10 f32x4 accumulators) sweeps KC rank-1 updates from L1.
// Rows that do not fill 5-row strips go in 4-row strips (4×8 tile), so the 32 and 64
// output channels of the convolutions split exactly (32 = 4·5 + 3·4, 64 = 12·5 + 4).

/** Rows of the main register tile; the tail strips have MR4 = 4. */
export const MR: i32 = 5;
const MR4: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 512;
export const MC: i32 = 120;
export const NC: i32 = 1024;

/** Bytes of scratch one thread needs: a packed A block (and a padded strip), a packed B panel, one edge tile. */
export function gemmScratchBytes(): i32 {
  return ((MC + MR) * KC + KC * NC + MR * NR) * 4;
}

/**
 * Height of the A strip that starts with `rem` rows left: 5-row strips first, then b
 * 4-row strips, where rem = 5a + 4b (b = 4·rem mod 5, as 4·4 ≡ 1 mod 5). Every rem >= 12
 * splits exactly; the few smaller rems without such a split (1 2 3 6 7 11) use 4-row
 * strips, the last one zero-padded. Without relaxed SIMD every product needs a register
 * of its own, the 5×8 tile spills an accumulator and runs at 60% of the 4×8 one: that
 * build uses 4-row strips only.
 */
// @ts-ignore: decorator
@inline
function stripRows(rem: i32): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return MR4;
  return rem > MR4 * ((rem * 4) % 5) ? MR : MR4;
}

/**
 * C[m0:m1, n0:n1] (+)= A · B over k, where A(i, p) = a[i*rsA + p*csA] and
 * B(p, j) = b[p*rsB + j*csB] (element strides, so transposes cost nothing) and C is
 * row-major with leading dimension ldc. One thread; `scratch` holds gemmScratchBytes().
 * With packedB, b is B already in packB's layout over all of k (column strip s = j / NR of
 * B(p, n0 + j) at b + (s·k + p)·NR + j mod NR floats, rsB and csB unused; n0 a multiple of
 * NR): a producer that writes B that way (Winograd's input transform) saves the packing pass.
 */
export function gemmRect(
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, k: i32,
  accumulate: bool, scratch: usize, packedB: bool = false,
): void {
  if (k <= 0) {
    if (!accumulate) for (let i = m0; i < m1; i++) memory.fill(c + <usize>((i * ldc + n0) << 2), 0, <usize>((n1 - n0) << 2));
    return;
  }
  const pa = scratch;
  const pb = pa + <usize>((MC + MR) * KC * 4);
  const tmp = pb + <usize>(KC * NC * 4);
  // K blocks of equal depth (k = 576 runs as 2 × 288, not 512 + 64): a shallow last block
  // would pay the per-tile costs (packing passes, C read-modify-write) for little work.
  const kBlocks = (k + KC - 1) / KC;
  const kb = (k + kBlocks - 1) / kBlocks;
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < k; pc += kb) {
      const kc = min(kb, k - pc);
      // The first K block overwrites C unless the caller asked to accumulate.
      const add = accumulate || pc > 0;
      if (!packedB) packB(b, rsB, csB, pc, kc, jc, nc, pb);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(a, rsA, csA, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = packedB ? b + <usize>((((jc - n0 + jr) / NR) * k + pc) * NR * 4) : pb + <usize>(jr * kc * 4);
          for (let ir = 0; ir < mc; ) {
            const h = stripRows(mc - ir);
            const mr = min(h, mc - ir);
            const ap = pa + <usize>(ir * kc * 4);
            const cp = c + <usize>(((ic + ir) * ldc + jc + jr) * 4);
            // Edge tile: compute the full padded tile aside, then add the valid part.
            const full = mr == h && nr == NR;
            const dst = full ? cp : tmp;
            const ldd = full ? ldc * 4 : NR * 4;
            if (h == MR) kernel5x8(kc, ap, bp, dst, ldd, full && add);
            else kernel4x8(kc, ap, bp, dst, ldd, full && add);
            if (!full) addTile(tmp, cp, ldc, mr, nr, add);
            ir += h;
          }
        }
      }
    }
  }
}

// B panel as NR-wide column strips: strip s holds B(pc+p, jc+s*NR+c) at [p*NR + c], zero-padded.
function packB(b: usize, rsB: i32, csB: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const d = dst + <usize>(jr * kc * 4);
    if (nr == NR && csB == 1) {
      let src = b + <usize>((pc * rsB + jc + jr) * 4);
      const step = <usize>(rsB * 4);
      for (let p = 0; p < kc; p++) {
        const o = d + <usize>(p * NR * 4);
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
        src += step;
      }
    } else if (nr == NR && rsB == 1) {
      // Transposed B: eight source rows, each contiguous in p; 4×4 SIMD transposes.
      const src = b + <usize>((pc + (jc + jr) * csB) * 4);
      const ld = <usize>(csB * 4);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s0 = src + <usize>(p * 4);
        const o = d + <usize>(p * NR * 4);
        transpose4(s0, ld, o, NR * 4);
        transpose4(s0 + 4 * ld, ld, o + 16, NR * 4);
      }
      for (; p < kc; p++) {
        for (let cc = 0; cc < NR; cc++) store<f32>(d + <usize>((p * NR + cc) * 4), load<f32>(src + <usize>(cc * csB * 4 + p * 4)));
      }
    } else {
      for (let cc = 0; cc < NR; cc++) {
        if (cc < nr) {
          const src = b + <usize>((pc * rsB + (jc + jr + cc) * csB) * 4);
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>((p * NR + cc) * 4), load<f32>(src + <usize>(p * rsB * 4)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>((p * NR + cc) * 4), 0);
        }
      }
    }
  }
}

// A block as row strips of stripRows() height h, the strip of rows i0.. at float (i0 - ic)*kc:
// rows 0-3 as A(i0+r, pc+p) at [p*4 + r], then (5-row strips) row 4 as A(i0+4, pc+p) at
// [kc*4 + p], zero-padded. Row 4 apart keeps the 4×4 transposes and the kernel's A loads
// 16-byte strided, and packs row 4 by a plain copy.
function packA(a: usize, rsA: i32, csA: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ) {
    const h = stripRows(mc - ir);
    const mr = min(h, mc - ir);
    const d = dst + <usize>(ir * kc * 4);
    if (rsA == 1 && mr == h) {
      // Transposed A: the h values of one p are adjacent in memory.
      let src = a + <usize>(((ic + ir) + pc * csA) * 4);
      const step = <usize>(csA * 4);
      for (let p = 0; p < kc; p++) {
        v128.store(d + <usize>(p * 16), v128.load(src));
        if (h == MR) store<f32>(d + <usize>((kc * 4 + p) * 4), load<f32>(src, 16));
        src += step;
      }
    } else if (csA == 1 && mr == h) {
      // Row-major A: rows 0-3 by 4×4 SIMD transposes, row 4 (if any) copied as it is.
      const src = a + <usize>(((ic + ir) * rsA + pc) * 4);
      const ld = <usize>(rsA * 4);
      let p = 0;
      for (; p + 4 <= kc; p += 4) transpose4(src + <usize>(p * 4), ld, d + <usize>(p * 16), 16);
      for (; p < kc; p++) {
        for (let r = 0; r < MR4; r++) store<f32>(d + <usize>((p * 4 + r) * 4), load<f32>(src + <usize>(r * rsA * 4 + p * 4)));
      }
      if (h == MR) memory.copy(d + <usize>(kc * 16), src + 4 * ld, <usize>(kc * 4));
    } else {
      for (let r = 0; r < h; r++) {
        // Element p of row r: [p*4 + r] in rows 0-3, [kc*4 + p] in row 4.
        const o = r < MR4 ? d + <usize>(r * 4) : d + <usize>(kc * 16);
        const os = <usize>(r < MR4 ? 16 : 4);
        if (r < mr) {
          const src = a + <usize>(((ic + ir + r) * rsA + pc * csA) * 4);
          for (let p = 0; p < kc; p++) store<f32>(o + <usize>p * os, load<f32>(src + <usize>(p * csA * 4)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(o + <usize>p * os, 0);
        }
      }
    }
    ir += h;
  }
}

// Reads a 4×4 block (rows at src + r*ld) and writes its transpose (rows at dst + c*dstLd).
// @ts-ignore: decorator
@inline
function transpose4(src: usize, ld: usize, dst: usize, dstLd: i32): void {
  const r0 = v128.load(src), r1 = v128.load(src + ld), r2 = v128.load(src + 2 * ld), r3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  const dl = <usize>dstLd;
  v128.store(dst, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dl, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dl, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dl, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
}

function addTile(tmp: usize, c: usize, ldc: i32, mr: i32, nr: i32, add: bool): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const src = load<f32>(tmp + <usize>((r * NR + j) * 4));
      const dst = c + <usize>((r * ldc + j) * 4);
      store<f32>(dst, add ? load<f32>(dst) + src : src);
    }
  }
}

// a·b + c: one fused instruction where relaxed SIMD is on (the kernels-fma.wasm build),
// which halves the arithmetic instructions the inner loop issues.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline
function row(cp: usize, x0: v128, x1: v128, add: bool): void {
  if (add) {
    v128.store(cp, f32x4.add(v128.load(cp), x0));
    v128.store(cp, f32x4.add(v128.load(cp, 16), x1), 16);
  } else {
    v128.store(cp, x0);
    v128.store(cp, x1, 16);
  }
}

// The tile of the 4-row strips. Both kernels are inlined into gemmRect's loops: V8 then
// unrolls their k loop 5× (one stack check and no index moves per 5 steps), which it
// does not do to the same loop in a function of its own; 3% faster with FMA, 20% without.
// @ts-ignore: decorator
@inline
function kernel4x8(kc: i32, ap: usize, bp: usize, c: usize, ldcBytes: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // The loop runs on the A pointer alone (no counter): one instruction fewer per step in
  // the innermost loop. kc >= 1 here.
  const aEnd = ap + <usize>(kc * 16);
  do {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(ap, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(ap, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(ap, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    ap += 16;
    bp += 32;
  } while (ap < aEnd);
  const ld = <usize>ldcBytes;
  row(c, c00, c01, add);
  row(c + ld, c10, c11, add);
  row(c + 2 * ld, c20, c21, add);
  row(c + 3 * ld, c30, c31, add);
}

// The main tile. V8 (TurboFan) emits all loads of a loop step first, in program order,
// and the arithmetic after them, so everything loaded in a step is live at once:
// 10 accumulators, 2 B vectors, rows 0-3 of A as one v128, row 4 splatted and one lane
// splat fill the 15 xmm registers V8 allocates on x64. Lanes 0-3 are splatted by
// shuffles, which V8 places beside their FMAs; five splat loads would spill, as do a
// 6×8 tile and a k loop unrolled in the source by 2 or 4 (spills halve the speed).
// @ts-ignore: decorator
@inline
function kernel5x8(kc: i32, ap: usize, bp: usize, c: usize, ldcBytes: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  // Row 4 follows rows 0-3 in the packed strip, one float per step.
  let a4p = ap + <usize>(kc * 16);
  const aEnd = a4p;
  do {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a = v128.load(ap);
    const a4 = v128.load32_splat(a4p);
    let x = v128.shuffle<i32>(a, a, 0, 0, 0, 0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.shuffle<i32>(a, a, 1, 1, 1, 1);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.shuffle<i32>(a, a, 2, 2, 2, 2);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.shuffle<i32>(a, a, 3, 3, 3, 3);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    c40 = madd(a4, b0, c40);
    c41 = madd(a4, b1, c41);
    ap += 16;
    a4p += 4;
    bp += 32;
  } while (ap < aEnd);
  const ld = <usize>ldcBytes;
  row(c, c00, c01, add);
  row(c + ld, c10, c11, add);
  row(c + 2 * ld, c20, c21, add);
  row(c + 3 * ld, c30, c31, add);
  row(c + 4 * ld, c40, c41, add);
}

/**
 * Threaded batched gemm; args (i32 words): a b c batch m n k transA transB strideA strideB
 * accumulate scratch scratchStride mode. mode 0 splits the batch, 1 splits N, 2 splits M.
 */
export function gemmTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const a = <usize>load<i32>(args), b = <usize>load<i32>(args, 4), c = <usize>load<i32>(args, 8);
  const batch = load<i32>(args, 12), m = load<i32>(args, 16), n = load<i32>(args, 20), k = load<i32>(args, 24);
  const transA = load<i32>(args, 28) != 0, transB = load<i32>(args, 32) != 0;
  const strideA = load<i32>(args, 36), strideB = load<i32>(args, 40);
  const accumulate = load<i32>(args, 44) != 0;
  const scratch = <usize>load<i32>(args, 48) + <usize>(load<i32>(args, 52) * worker);
  const mode = load<i32>(args, 56);
  const rsA = transA ? 1 : k, csA = transA ? m : 1;
  const rsB = transB ? 1 : n, csB = transB ? k : 1;
  let b0 = 0, b1 = batch, m0 = 0, m1 = m, n0 = 0, n1 = n;
  if (mode == 0) {
    b0 = <i32>(<i64>batch * task / nTasks);
    b1 = <i32>(<i64>batch * (task + 1) / nTasks);
  } else if (mode == 1) {
    const units = (n + NR - 1) / NR;
    n0 = min(n, <i32>(<i64>units * task / nTasks) * NR);
    n1 = min(n, <i32>(<i64>units * (task + 1) / nTasks) * NR);
  } else {
    const units = (m + MR4 - 1) / MR4;
    m0 = min(m, <i32>(<i64>units * task / nTasks) * MR4);
    m1 = min(m, <i32>(<i64>units * (task + 1) / nTasks) * MR4);
  }
  if (m0 >= m1 || n0 >= n1) return;
  for (let bi = b0; bi < b1; bi++) {
    gemmRect(
      a + <usize>(bi * strideA * 4), rsA, csA,
      b + <usize>(bi * strideB * 4), rsB, csB,
      c + <usize>(bi * m * n * 4), n,
      m0, m1, n0, n1, k, accumulate, scratch,
    );
  }
}

/**
 * The engine's f32x4 ceiling, for the benchmark's scale: each task runs `iters` steps of ten
 * independent multiply-adds (madd, as the gemm kernels issue them) with no memory traffic,
 * 80 flops a step; args (i32 words): iters out, where out has one v128 per task for the sums.
 */
export function simdPeakTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const iters = load<i32>(args);
  const x = f32x4.splat(0.999), y = f32x4.splat(0.001);
  let a0 = f32x4.splat(<f32>task), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
  let a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, x, y);
    a1 = madd(a1, x, y);
    a2 = madd(a2, x, y);
    a3 = madd(a3, x, y);
    a4 = madd(a4, x, y);
    a5 = madd(a5, x, y);
    a6 = madd(a6, x, y);
    a7 = madd(a7, x, y);
    a8 = madd(a8, x, y);
    a9 = madd(a9, x, y);
  }
  const s0 = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  const s1 = f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7));
  const out = <usize>load<i32>(args, 4) + (<usize>task << 4);
  v128.store(out, f32x4.add(f32x4.add(s0, s1), f32x4.add(a8, a9)));
}
