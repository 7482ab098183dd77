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

  ;; exp(x) for 4 lanes: Cody-Waite range reduction to |r| <= ln2 / 2, then Cephes' expf
  ;; polynomial (relative error ~1e-7, float32's own), scaled by 2^k built in the exponent bits.
  (func $exp (param $x v128) (result v128)
    (local $k v128)
    (local $r v128)
    (local $p v128)
    (local.set $x
      (f32x4.max
        (f32x4.min (local.get $x) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949))
        (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625)))
    (local.set $k
      (f32x4.nearest
        (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r
      (f32x4.sub
        (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; p * r^2 + r + 1
    (local.set $p
      (f32x4.add
        (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
        (v128.const f32x4 1 1 1 1)))
    ;; 2^k: (k + 127) << 23 as the float's exponent bits; k is within [-126, 127] after the clamp.
    (f32x4.mul
      (local.get $p)
      (i32x4.shl
        (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127))
        (i32.const 23))))

  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div
      (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))

  ;; One forward step. xz: this step's first row of the input projection (bias included),
  ;; hz: h_{t-1} R, c: c_{t-1}; writes h, c_t and, when keep is 1, the cache row.
  (func (export "forward")
    (param $xz i32) (param $hz i32) (param $c i32)
    (param $h i32) (param $cOut i32) (param $cache i32)
    (param $batch i32) (param $hidden i32) (param $keep i32)
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
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $hb)))
            (local.set $i (call $sigmoid (f32x4.add
              (v128.load (i32.add (local.get $xz) (i32.add (local.get $z) (local.get $j))))
              (v128.load (i32.add (local.get $hz) (i32.add (local.get $z) (local.get $j)))))))
            (local.set $f (call $sigmoid (f32x4.add
              (v128.load (i32.add (local.get $xz) (i32.add (local.get $z) (i32.add (local.get $hb) (local.get $j)))))
              (v128.load (i32.add (local.get $hz) (i32.add (local.get $z) (i32.add (local.get $hb) (local.get $j))))))))
            (local.set $sg (call $sigmoid (f32x4.add
              (v128.load (i32.add (local.get $xz) (i32.add (local.get $z) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j)))))
              (v128.load (i32.add (local.get $hz) (i32.add (local.get $z) (i32.add (i32.shl (local.get $hb) (i32.const 1)) (local.get $j))))))))
            (local.set $o (call $sigmoid (f32x4.add
              (v128.load (i32.add (local.get $xz) (i32.add (local.get $z) (i32.add (i32.mul (local.get $hb) (i32.const 3)) (local.get $j)))))
              (v128.load (i32.add (local.get $hz) (i32.add (local.get $z) (i32.add (i32.mul (local.get $hb) (i32.const 3)) (local.get $j))))))))
            ;; g = tanh(z_candidate) = 2 sigmoid(2 z) - 1, the 2 already in the weights
            (local.set $g (f32x4.sub (f32x4.add (local.get $sg) (local.get $sg)) (v128.const f32x4 1 1 1 1)))
            (local.set $cp (v128.load (i32.add (local.get $c) (i32.add (local.get $r) (local.get $j)))))
            (local.set $cn (f32x4.add (f32x4.mul (local.get $f) (local.get $cp)) (f32x4.mul (local.get $i) (local.get $g))))
            (local.set $tc (f32x4.sub
              (f32x4.mul (v128.const f32x4 2 2 2 2) (call $sigmoid (f32x4.add (local.get $cn) (local.get $cn))))
              (v128.const f32x4 1 1 1 1)))
            (v128.store (i32.add (local.get $h) (i32.add (local.get $r) (local.get $j))) (f32x4.mul (local.get $o) (local.get $tc)))
            (v128.store (i32.add (local.get $cOut) (i32.add (local.get $r) (local.get $j))) (local.get $cn))
            (if (local.get $keep)
              (then
                ;; dz = dc * [g, c_{t-1}, 2i] and dh * tc, each times its sigmoid's derivative s (1 - s)
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
                  (local.get $f))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows))))

  ;; One backward step. dh: gradient from step t+1 through R; arrive: this step's first row
  ;; of the gradient from the layer above (read only when hasArrive is 1); dc: from step t+1.
  ;; Writes dz (4H per row) and dc * forget for step t-1.
  (func (export "backward")
    (param $dh i32) (param $arrive i32) (param $hasArrive i32) (param $dc i32) (param $cache i32)
    (param $dz i32) (param $dcOut i32)
    (param $batch i32) (param $hidden i32)
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
