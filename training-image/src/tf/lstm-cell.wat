;; The element-wise part of one LSTM step, forward and backward, in WebAssembly SIMD
;; (4 lanes of f32), run on TensorFlow.js's wasm heap: the module imports that heap's
;; memory, so tensors are read and written in place by address.
;;
;; Why: the same loops in JavaScript cost ~3 ns per element on the 2-core machine,
;; ~110 ms per training batch of 64 at sequence 120, 2 x 128; here they take a few ms.
;; lstm-kernels.ts calls these only when the hidden size is a multiple of 4 and keeps
;; the JavaScript loops for everything else (and for the cpu backend).
;;
;; Layout: see lstm-kernels.ts. Per batch row, 4H pre-activations in gate order
;; input, forget, candidate (pre-doubled: tanh(z) = 2 sigmoid(2z) - 1), output; the
;; training cache is 6H per row: the four gate factors, dh -> dc factor, forget gate.
;; All pointers are byte addresses; `hb` below is H * 4 bytes.
(module
  (import "env" "memory" (memory 0))

  ;; The sigmoid's constants. Mutable globals, so that V8 reads each from memory where it is
  ;; used (one load): it folds a v128.const, or a local holding one, into every use inside
  ;; the loop and builds it there again, three instructions each, 14 per 4 sigmoids.
  (global $hi (mut v128) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949))
  (global $lo (mut v128) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))
  (global $log2e (mut v128) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
  (global $magic (mut v128) (v128.const f32x4 12582912 12582912 12582912 12582912))
  (global $ln2hi (mut v128) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
  (global $ln2lo (mut v128) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
  (global $p0 (mut v128) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
  (global $p1 (mut v128) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
  (global $p2 (mut v128) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
  (global $p3 (mut v128) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
  (global $p4 (mut v128) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
  (global $p5 (mut v128) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
  (global $one (mut v128) (v128.const f32x4 1 1 1 1))
  (global $bias (mut v128) (v128.const i32x4 127 127 127 127))

  ;; sigmoid(x) = 1 / (1 + exp(-x)) in place over `count` floats (a multiple of 4) at `at`.
  ;; exp: Cody-Waite range reduction to |r| <= ln2 / 2, Cephes' expf polynomial (relative error
  ;; ~1e-7, float32's own), scaled by 2^k built in the exponent bits. One loop with everything
  ;; inline: V8 passes v128 arguments of a call through memory, which cost more than the maths.
  (func $sigmoid_in_place (param $at i32) (param $count i32)
    (local $end i32) (local $x v128) (local $n v128) (local $k v128) (local $r v128) (local $r2 v128) (local $p v128)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        ;; x = -input, clamped so that 2^k stays a normal float (pmin/pmax: one instruction each,
        ;; where min/max's NaN rules cost several; the inputs are never NaN in a trained network)
        (local.set $x
          (f32x4.pmax
            (f32x4.pmin (f32x4.neg (v128.load (local.get $at)))
              (global.get $hi))
            (global.get $lo)))
        ;; n = x log2(e) + 1.5 * 2^23 rounds to an integer k held in n's low mantissa bits
        (local.set $n
          (f32x4.add
            (f32x4.mul (local.get $x) (global.get $log2e))
            (global.get $magic)))
        (local.set $k (f32x4.sub (local.get $n) (global.get $magic)))
        ;; r = x - k ln2, ln2 in two parts so that k ln2's rounding error does not reach r
        (local.set $r
          (f32x4.sub
            (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (global.get $ln2hi)))
            (f32x4.mul (local.get $k) (global.get $ln2lo))))
        ;; p0 r^5 + ... + p5 by Estrin's scheme: (p0 r + p1) r^4 + ((p2 r + p3) r^2 + (p4 r + p5)),
        ;; half the dependent steps of Horner's (the loop is latency-bound, not throughput-bound)
        (local.set $r2 (f32x4.mul (local.get $r) (local.get $r)))
        (local.set $p
          (f32x4.add
            (f32x4.mul
              (f32x4.add (f32x4.mul (global.get $p0) (local.get $r)) (global.get $p1))
              (f32x4.mul (local.get $r2) (local.get $r2)))
            (f32x4.add
              (f32x4.mul
                (f32x4.add (f32x4.mul (global.get $p2) (local.get $r)) (global.get $p3))
                (local.get $r2))
              (f32x4.add (f32x4.mul (global.get $p4) (local.get $r)) (global.get $p5)))))
        ;; exp(x) = (p r^2 + r + 1) * 2^k; 2^k is (k + 127) << 23 in the exponent bits, and the
        ;; shift drops n's constant high bits, leaving k + 127 (in 1..254 after the clamp)
        (local.set $p
          (f32x4.mul
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $p) (local.get $r2)) (local.get $r))
              (global.get $one))
            (i32x4.shl (i32x4.add (local.get $n) (global.get $bias)) (i32.const 23))))
        (v128.store (local.get $at)
          (f32x4.div (global.get $one) (f32x4.add (global.get $one) (local.get $p))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $each))))

  ;; One forward step. xz: this step's first row of the input projection (bias included),
  ;; hz: h_{t-1} R, c: c_{t-1}; writes h, c_t and the cache rows (which also serve as the
  ;; scratch space for the gates' sigmoids, and h for tanh(c_t)'s).
  (func (export "forward")
    (param $xz i32) (param $hz i32) (param $c i32)
    (param $h i32) (param $cOut i32) (param $cache i32)
    (param $batch i32) (param $hidden i32)
    (local $hb i32) (local $b i32) (local $j i32)
    (local $z i32) (local $r i32) (local $k i32)
    (local $i v128) (local $f v128) (local $sg v128) (local $o v128)
    (local $g v128) (local $cp v128) (local $cn v128) (local $tc v128)
    (local.set $hb (i32.shl (local.get $hidden) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $z (i32.mul (local.get $b) (i32.shl (local.get $hb) (i32.const 2))))
        (local.set $r (i32.mul (local.get $b) (local.get $hb)))
        (local.set $k (i32.add (local.get $cache) (i32.mul (local.get $b) (i32.mul (local.get $hb) (i32.const 6)))))
        ;; 1. the four gates' pre-activations z = xz + hz, then their sigmoids, in the cache row
        (local.set $j (i32.const 0))
        (block $pre_done
          (loop $pre
            (br_if $pre_done (i32.ge_u (local.get $j) (i32.shl (local.get $hb) (i32.const 2))))
            (v128.store (i32.add (local.get $k) (local.get $j))
              (f32x4.add
                (v128.load (i32.add (local.get $xz) (i32.add (local.get $z) (local.get $j))))
                (v128.load (i32.add (local.get $hz) (i32.add (local.get $z) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pre)))
        (call $sigmoid_in_place (local.get $k) (i32.shl (local.get $hidden) (i32.const 2)))
        ;; 2. c_t = f c_{t-1} + i g, with g = tanh(z_candidate) = 2 sigmoid(2 z) - 1 (the 2 is in
        ;;    the weights); 2 c_t goes to h, whose sigmoid gives tanh(c_t) the same way
        (local.set $j (i32.const 0))
        (block $cell_done
          (loop $cell
            (br_if $cell_done (i32.ge_u (local.get $j) (local.get $hb)))
            (local.set $cn
              (f32x4.add
                (f32x4.mul
                  (v128.load (i32.add (local.get $k) (i32.add (local.get $hb) (local.get $j))))
                  (v128.load (i32.add (local.get $c) (i32.add (local.get $r) (local.get $j)))))
                (f32x4.mul
                  (v128.load (i32.add (local.get $k) (local.get $j)))
                  (f32x4.sub
                    (f32x4.mul (v128.const f32x4 2 2 2 2)
                      (v128.load (i32.add (local.get $k) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j)))))
                    (v128.const f32x4 1 1 1 1)))))
            (v128.store (i32.add (local.get $cOut) (i32.add (local.get $r) (local.get $j))) (local.get $cn))
            (v128.store (i32.add (local.get $h) (i32.add (local.get $r) (local.get $j))) (f32x4.add (local.get $cn) (local.get $cn)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cell)))
        (call $sigmoid_in_place (i32.add (local.get $h) (local.get $r)) (local.get $hidden))
        ;; 3. h = o tanh(c_t), and the cache: dz = dc * [g, c_{t-1}, 2i] and dh * tanh(c_t), each
        ;;    times its sigmoid's derivative s (1 - s); dh -> dc factor o (1 - tanh^2); forget gate
        (local.set $j (i32.const 0))
        (block $out_done
          (loop $out
            (br_if $out_done (i32.ge_u (local.get $j) (local.get $hb)))
            (local.set $i (v128.load (i32.add (local.get $k) (local.get $j))))
            (local.set $f (v128.load (i32.add (local.get $k) (i32.add (local.get $hb) (local.get $j)))))
            (local.set $sg (v128.load (i32.add (local.get $k) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j)))))
            (local.set $o (v128.load (i32.add (local.get $k) (i32.add (i32.mul (local.get $hb) (i32.const 3)) (local.get $j)))))
            (local.set $g (f32x4.sub (f32x4.add (local.get $sg) (local.get $sg)) (v128.const f32x4 1 1 1 1)))
            (local.set $cp (v128.load (i32.add (local.get $c) (i32.add (local.get $r) (local.get $j)))))
            (local.set $tc (f32x4.sub
              (f32x4.mul (v128.const f32x4 2 2 2 2) (v128.load (i32.add (local.get $h) (i32.add (local.get $r) (local.get $j)))))
              (v128.const f32x4 1 1 1 1)))
            (v128.store (i32.add (local.get $h) (i32.add (local.get $r) (local.get $j))) (f32x4.mul (local.get $o) (local.get $tc)))
            (v128.store (i32.add (local.get $k) (local.get $j))
              (f32x4.mul (local.get $g) (f32x4.mul (local.get $i) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $i)))))
            (v128.store (i32.add (local.get $k) (i32.add (local.get $hb) (local.get $j)))
              (f32x4.mul (local.get $cp) (f32x4.mul (local.get $f) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f)))))
            (v128.store (i32.add (local.get $k) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j)))
              (f32x4.mul (f32x4.add (local.get $i) (local.get $i)) (f32x4.mul (local.get $sg) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $sg)))))
            (v128.store (i32.add (local.get $k) (i32.add (i32.mul (local.get $hb) (i32.const 3)) (local.get $j)))
              (f32x4.mul (local.get $tc) (f32x4.mul (local.get $o) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $o)))))
            (v128.store (i32.add (local.get $k) (i32.add (i32.shl (local.get $hb) (i32.const 2)) (local.get $j)))
              (f32x4.mul (local.get $o) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $tc) (local.get $tc)))))
            (v128.store (i32.add (local.get $k) (i32.add (i32.mul (local.get $hb) (i32.const 5)) (local.get $j)))
              (local.get $f))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $out)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows))))

;; One backward step. dh: gradient from step t+1 through R; arrive: this step's first row
  ;; of the gradient from the layer above (read only when hasArrive is 1); dc: from step t+1.
  ;; Writes dz (4H per row, at dz: the step's rows of the layer's [T * B, 4H] dZ, which the
  ;; weight gradients read whole) and dc * forget for step t-1.
  (func (export "backward")
    (param $dh i32) (param $arrive i32) (param $hasArrive i32) (param $dc i32) (param $cache i32)
    (param $dz i32) (param $dcOut i32) (param $batch i32) (param $hidden i32)
    (local $hb i32) (local $b i32) (local $j i32)
    (local $r i32) (local $k i32) (local $z i32)
    (local $dhj v128) (local $dcj v128)
    (local.set $hb (i32.shl (local.get $hidden) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $r (i32.mul (local.get $b) (local.get $hb)))
        (local.set $k (i32.add (local.get $cache) (i32.mul (local.get $b) (i32.mul (local.get $hb) (i32.const 6)))))
        (local.set $z (i32.add (local.get $dz) (i32.mul (local.get $b) (i32.shl (local.get $hb) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $hb)))
            (local.set $dhj (v128.load (i32.add (local.get $dh) (i32.add (local.get $r) (local.get $j)))))
            (if (local.get $hasArrive)
              (then
                (local.set $dhj (f32x4.add (local.get $dhj)
                  (v128.load (i32.add (local.get $arrive) (i32.add (local.get $r) (local.get $j))))))))
            (local.set $dcj (f32x4.add
              (v128.load (i32.add (local.get $dc) (i32.add (local.get $r) (local.get $j))))
              (f32x4.mul (local.get $dhj)
                (v128.load (i32.add (local.get $k) (i32.add (i32.shl (local.get $hb) (i32.const 2)) (local.get $j)))))))
            (v128.store (i32.add (local.get $z) (local.get $j))
              (f32x4.mul (local.get $dcj) (v128.load (i32.add (local.get $k) (local.get $j)))))
            (v128.store (i32.add (local.get $z) (i32.add (local.get $hb) (local.get $j)))
              (f32x4.mul (local.get $dcj) (v128.load (i32.add (local.get $k) (i32.add (local.get $hb) (local.get $j))))))
            (v128.store (i32.add (local.get $z) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j)))
              (f32x4.mul (local.get $dcj) (v128.load (i32.add (local.get $k) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j))))))
            (v128.store (i32.add (local.get $z) (i32.add (i32.mul (local.get $hb) (i32.const 3)) (local.get $j)))
              (f32x4.mul (local.get $dhj) (v128.load (i32.add (local.get $k) (i32.add (i32.mul (local.get $hb) (i32.const 3)) (local.get $j))))))
            (v128.store (i32.add (local.get $dcOut) (i32.add (local.get $r) (local.get $j)))
              (f32x4.mul (local.get $dcj) (v128.load (i32.add (local.get $k) (i32.add (i32.mul (local.get $hb) (i32.const 5)) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))))
