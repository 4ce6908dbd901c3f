// 1×1 stride-1 convolution as reshape + matMul, with a gradient that keeps wasm on its fast matMul path.
import * as tf from '@tensorflow/tfjs';

/** PyTorch nn.Conv2d(Cin, Cout, 1, bias=False) on NHWC; w is [Cin, Cout]. */
export function pointwiseConv(x: tf.Tensor4D, w: tf.Tensor2D /* [Cin, Cout] */): tf.Tensor4D {
  const [n, h, wd, cin] = x.shape;
  const cout = w.shape[1];
  if (w.shape[0] !== cin) throw new Error(`pointwiseConv: weights ${String(w.shape)} do not fit input ${String(x.shape)}`);
  const m = n * h * wd;
  const op = tf.customGrad((xIn: tf.Tensor | tf.GradSaveFunc, wIn: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    // Saved, not captured: tf.grads disposes forward intermediates (x may be one) before backprop.
    (save as tf.GradSaveFunc)([xIn as tf.Tensor, wIn as tf.Tensor]);
    const value = tf.reshape(tf.matMul(tf.reshape(xIn as tf.Tensor, [m, cin]) as tf.Tensor2D, wIn as tf.Tensor2D), [n, h, wd, cout]);
    // tfjs' own matMul gradient uses transposeA/transposeB, which wasm runs 2-4× slower than an
    // explicit transpose followed by a plain matMul (its XNNPACK path).
    const gradFunc = (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => {
      const x2 = tf.reshape(xs!, [m, cin]) as tf.Tensor2D;
      const w2 = ws as tf.Tensor2D;
      const dy2 = tf.reshape(dy, [m, cout]) as tf.Tensor2D;
      const dx = tf.reshape(tf.matMul(dy2, tf.transpose(w2)), [n, h, wd, cin]);
      const dw = tf.matMul(tf.transpose(x2), dy2);
      return [dx, dw];
    };
    return { value, gradFunc };
  });
  return op(x, w) as tf.Tensor4D;
}
