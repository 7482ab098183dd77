;; Single-precision matrix product C[M, N] (+)= A[M, K] B[K, N] in WebAssembly SIMD, on
;; TensorFlow.js's wasm heap (the module imports that heap's memory; pointers are byte
;; addresses). matmul.ts calls it for the LSTM's matrix products.
;;
;; Why not XNNPACK's: on the 2-core AMD machine tfjs-backend-wasm's XNNPACK runs these
;; shapes at 25-30 GFLOP/s; this kernel runs them at ~38 (bench/matmul.ts). The difference
;; is the inner loop: 4 rows x 8 columns of C in 8 registers, B read as two vectors and A
;; broadcast straight from memory (vbroadcastss, a load, not a shuffle), every address a
;; constant offset from one of two pointers. More accumulators than 8 measured slower under
;; V8 (its register allocator spills them), and so did unrolling the k loop.
;;
;; Operands are packed first so that the inner loop reads both sequentially:
;; - A as blocks of 4 rows, k-major: Ap[i / 4][k][i % 4] (rows past M are zeros);
;; - B as panels of 8 columns, k-major: Bp[j / 8][k][j % 8] (N must be a multiple of 8).
;; Each pack reads its source either as stored or transposed, so A^T B and A B^T need no
;; transpose op. gemm walks K in chunks of 256, and within a chunk blocks of 4 rows and
;; panels in the order that keeps the smaller operand's pieces in L1.
;;
;; matmul.ts assembles this text twice: as written (plain SIMD), and, where the runtime has
;; relaxed SIMD, with each of $tile's 8 multiply-adds `(f32x4.add (local.get $cXY) (f32x4.mul
;; (local.get $s) (local.get $bY)))` rewritten as f32x4.relaxed_madd (withFusedMultiplyAdd:
;; keep them in that form).
(module
  (import "env" "memory" (memory 0))

  ;; C[4 x 8] at c (row stride ldc floats) (+)= Ap block x Bp panel over kc steps: added to C
  ;; when `load`, else to the 8 floats at `bias` in every row (bias 0: to zeros).
  ;; Only the first `rows` rows of C are read or written; kc >= 1.
  (func $tile (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $kc i32)
      (param $load i32) (param $bias i32) (param $rows i32)
    (local $end i32) (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $row1 i32) (local $row2 i32) (local $row3 i32)
    (local.set $row1 (i32.add (local.get $c) (i32.shl (local.get $ldc) (i32.const 2))))
    (local.set $row2 (i32.add (local.get $row1) (i32.shl (local.get $ldc) (i32.const 2))))
    (local.set $row3 (i32.add (local.get $row2) (i32.shl (local.get $ldc) (i32.const 2))))
    (if (local.get $load)
      (then
        (local.set $c00 (v128.load (local.get $c)))
        (local.set $c01 (v128.load offset=16 (local.get $c)))
        (if (i32.gt_u (local.get $rows) (i32.const 1))
          (then
            (local.set $c10 (v128.load (local.get $row1)))
            (local.set $c11 (v128.load offset=16 (local.get $row1)))))
        (if (i32.gt_u (local.get $rows) (i32.const 2))
          (then
            (local.set $c20 (v128.load (local.get $row2)))
            (local.set $c21 (v128.load offset=16 (local.get $row2)))))
        (if (i32.gt_u (local.get $rows) (i32.const 3))
          (then
            (local.set $c30 (v128.load (local.get $row3)))
            (local.set $c31 (v128.load offset=16 (local.get $row3))))))
      (else
        (if (local.get $bias)
          (then
            (local.set $c00 (v128.load (local.get $bias)))
            (local.set $c01 (v128.load offset=16 (local.get $bias)))
            (local.set $c10 (local.get $c00))
            (local.set $c11 (local.get $c01))
            (local.set $c20 (local.get $c00))
            (local.set $c21 (local.get $c01))
            (local.set $c30 (local.get $c00))
            (local.set $c31 (local.get $c01))))))
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $kc) (i32.const 5))))
    (loop $k
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $s (v128.load32_splat (local.get $pa)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br_if $k (i32.lt_u (local.get $pb) (local.get $end))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (if (i32.gt_u (local.get $rows) (i32.const 1))
      (then
        (v128.store (local.get $row1) (local.get $c10))
        (v128.store offset=16 (local.get $row1) (local.get $c11))))
    (if (i32.gt_u (local.get $rows) (i32.const 2))
      (then
        (v128.store (local.get $row2) (local.get $c20))
        (v128.store offset=16 (local.get $row2) (local.get $c21))))
    (if (i32.gt_u (local.get $rows) (i32.const 3))
      (then
        (v128.store (local.get $row3) (local.get $c30))
        (v128.store offset=16 (local.get $row3) (local.get $c31)))))

  ;; Rows i..i+3 x columns j..j+7 of C, over steps k0..k0+kc of the chunk (addresses from the
  ;; packed layouts: Ap block i / 4 starts at i K 4 bytes, Bp panel j / 8 at j K 4 bytes).
  (func $block_tile (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $m i32)
      (param $k i32) (param $k0 i32) (param $kc i32) (param $load i32) (param $bias i32) (param $i i32)
      (param $j i32)
    (local $rows i32)
    (local.set $rows (i32.sub (local.get $m) (local.get $i)))
    (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
    (call $tile
      (i32.add (local.get $pa)
        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (i32.shl (local.get $k0) (i32.const 2)))
          (i32.const 2)))
      (i32.add (local.get $pb)
        (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (i32.shl (local.get $k0) (i32.const 3)))
          (i32.const 2)))
      (i32.add (local.get $c)
        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j)) (i32.const 2)))
      (local.get $ldc)
      (local.get $kc)
      (local.get $load)
      (if (result i32) (local.get $bias)
        (then (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
        (else (i32.const 0)))
      (local.get $rows)))

  ;; C[M, N] (row stride ldc floats) = Ap Bp, plus bias[N] in every row when bias is not 0
  ;; (the input projection's bias, at no extra pass over C). N a multiple of 8, K >= 1.
  ;; Within a chunk, the smaller operand's pieces stay in L1 while the larger one's stream past:
  ;; with fewer rows than columns, each B panel (8 KB) meets every A block; otherwise each A
  ;; block (4 KB) meets every B panel. (One fixed order ran h^T dZ at ~30 GFLOP/s, not ~38.)
  (func (export "gemm") (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32)
      (param $m i32) (param $k i32) (param $n i32) (param $bias i32)
    (local $k0 i32) (local $kc i32) (local $i i32) (local $j i32) (local $load i32)
    (loop $chunks
      (local.set $kc (i32.sub (local.get $k) (local.get $k0)))
      (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
      ;; chunks after the first add to what the earlier ones left in C
      (local.set $load (i32.ne (local.get $k0) (i32.const 0)))
      (if (i32.lt_u (local.get $m) (local.get $n))
        (then
          (local.set $j (i32.const 0))
          (loop $panels
            (local.set $i (i32.const 0))
            (loop $blocks
              (call $block_tile (local.get $pa) (local.get $pb) (local.get $c) (local.get $ldc) (local.get $m)
                (local.get $k) (local.get $k0) (local.get $kc) (local.get $load) (local.get $bias) (local.get $i) (local.get $j))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br_if $blocks (i32.lt_u (local.get $i) (local.get $m))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br_if $panels (i32.lt_u (local.get $j) (local.get $n)))))
        (else
          (local.set $i (i32.const 0))
          (loop $blocks
            (local.set $j (i32.const 0))
            (loop $panels
              (call $block_tile (local.get $pa) (local.get $pb) (local.get $c) (local.get $ldc) (local.get $m)
                (local.get $k) (local.get $k0) (local.get $kc) (local.get $load) (local.get $bias) (local.get $i) (local.get $j))
              (local.set $j (i32.add (local.get $j) (i32.const 8)))
              (br_if $panels (i32.lt_u (local.get $j) (local.get $n))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br_if $blocks (i32.lt_u (local.get $i) (local.get $m))))))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br_if $chunks (i32.lt_u (local.get $k0) (local.get $k)))))

  ;; Ap from A[M, K] stored at src with row stride ld floats, or (transposed = 1) from A^T
  ;; stored as [K, M] with row stride ld: A[i][k] = src[k ld + i].
  (func (export "packA") (param $src i32) (param $ld i32) (param $m i32) (param $k i32)
      (param $transposed i32) (param $dst i32)
    (local $i i32) (local $kk i32) (local $r i32) (local $full i32) (local $k4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $at i32) (local $stride i32) (local $value f32)
    (local.set $stride (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $k4 (i32.and (local.get $k) (i32.const -4)))
    (loop $blocks
      (local.set $full (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
      (local.set $kk (i32.const 0))
      (block $fast_done
        (br_if $fast_done (i32.eqz (local.get $full)))
        (if (local.get $transposed)
          (then
            ;; the 4 values of step k are contiguous in the source: one load, one store
            (local.set $at (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))
            (loop $steps
              (v128.store (local.get $dst) (v128.load (local.get $at)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
              (local.set $at (i32.add (local.get $at) (local.get $stride)))
              (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
              (br_if $steps (i32.lt_u (local.get $kk) (local.get $k))))
            (br $fast_done)))
        ;; 4 rows x 4 steps at a time, transposed in registers
        (br_if $fast_done (i32.eqz (local.get $k4)))
        (local.set $at (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $stride))))
        (loop $quads
          (local.set $r0 (v128.load (local.get $at)))
          (local.set $r1 (v128.load (i32.add (local.get $at) (local.get $stride))))
          (local.set $r2 (v128.load (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1)))))
          (local.set $r3 (v128.load (i32.add (local.get $at) (i32.mul (local.get $stride) (i32.const 3)))))
          ;; t0 = r0[0] r1[0] r0[1] r1[1], t1 = r2[0] r3[0] r2[1] r3[1], t2, t3 the same for lanes 2, 3
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
          (v128.store (local.get $dst)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (v128.store offset=16 (local.get $dst)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (v128.store offset=32 (local.get $dst)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (v128.store offset=48 (local.get $dst)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
          (local.set $at (i32.add (local.get $at) (i32.const 16)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
          (br_if $quads (i32.lt_u (local.get $kk) (local.get $k4)))))
      ;; what the fast paths left: the last steps (K not a multiple of 4) or a partial block
      (block $tail_done
        (loop $tail
          (br_if $tail_done (i32.ge_u (local.get $kk) (local.get $k)))
          (local.set $r (i32.const 0))
          (loop $lanes
            (local.set $value (f32.const 0))
            (if (i32.lt_u (i32.add (local.get $i) (local.get $r)) (local.get $m))
              (then
                (local.set $value
                  (f32.load
                    (i32.add (local.get $src)
                      (i32.shl
                        (if (result i32) (local.get $transposed)
                          (then (i32.add (i32.mul (local.get $kk) (local.get $ld)) (i32.add (local.get $i) (local.get $r))))
                          (else (i32.add (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $ld)) (local.get $kk))))
                        (i32.const 2)))))))
            (f32.store (local.get $dst) (local.get $value))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br_if $lanes (i32.lt_u (local.get $r) (i32.const 4))))
          (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
          (br $tail)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $blocks (i32.lt_u (local.get $i) (local.get $m)))))

  ;; Bp from B[K, N] stored at src with row stride ld floats, or (transposed = 1) from B^T
  ;; stored as [N, K] with row stride ld: B[k][j] = src[j ld + k]. N a multiple of 8.
  (func (export "packB") (param $src i32) (param $ld i32) (param $k i32) (param $n i32)
      (param $transposed i32) (param $dst i32)
    (local $j i32) (local $kk i32) (local $lane i32) (local $at i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $ld) (i32.const 2)))
    (loop $panels
      (local.set $kk (i32.const 0))
      (if (local.get $transposed)
        (then
          ;; B^T rows j..j+7 are 8 source rows; step k takes one value from each
          (loop $steps
            (local.set $at
              (i32.add (local.get $src)
                (i32.shl (i32.add (i32.mul (local.get $j) (local.get $ld)) (local.get $kk)) (i32.const 2))))
            (local.set $lane (i32.const 0))
            (loop $lanes
              (f32.store (local.get $dst) (f32.load (local.get $at)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (local.set $at (i32.add (local.get $at) (local.get $stride)))
              (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
              (br_if $lanes (i32.lt_u (local.get $lane) (i32.const 8))))
            (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
            (br_if $steps (i32.lt_u (local.get $kk) (local.get $k)))))
        (else
          (local.set $at (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
          (loop $steps
            (v128.store (local.get $dst) (v128.load (local.get $at)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $at)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $at (i32.add (local.get $at) (local.get $stride)))
            (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
            (br_if $steps (i32.lt_u (local.get $kk) (local.get $k))))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $panels (i32.lt_u (local.get $j) (local.get $n)))))
)
