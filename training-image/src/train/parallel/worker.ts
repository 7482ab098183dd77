import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { stepsFromTimeMajor } from '../../model/batch-layout.js';
import { dropoutMaskRows } from '../../model/dropout.js';
import { ForecastNetwork } from '../../model/network.js';
import { SeededRandom } from '../../model/random.js';
import { selectBackend } from '../../tf/backend.js';
import type { FromWorker, ToWorker } from './protocol.js';

/**
 * A gradient worker: holds a replica of the network on its own TensorFlow.js
 * backend (its own wasm instance, its own core) and computes the loss and
 * gradients of its share of each batch with the weights it is sent.
 */
const port = parentPort;
if (port === null) throw new Error('gradient worker: must run in a worker thread');
let network: ForecastNetwork | null = null;

const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

port.on('message', (message: ToWorker) => {
  void handle(message).catch((error: unknown) =>
    send({
      type: 'error',
      id: message.type === 'gradients' ? message.id : null,
      message: error instanceof Error ? error.message : String(error),
    }),
  );
});

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    const backend = await selectBackend(message.backend);
    // Weights arrive with every step; the initial values are placeholders.
    network = ForecastNetwork.initialize(message.shape, new SeededRandom(0));
    send({ type: 'ready', backend: backend.name });
    return;
  }
  if (network === null) throw new Error('gradient worker: gradients asked before init');
  const net = network;
  net.setWeightArrays(message.weights);
  const { sequenceLength, featureCount } = net.shape;
  const batch = message.y.length;
  const rows = message.dropout;
  const masks = rows === null ? undefined : dropoutMaskRows(net.shape, rows);
  // Tensors out of the tidy, arrays after it: tf.tidy walks what its function returns to keep the
  // tensors in it, key by key through a Set, and a Float32Array is walked element by element. With the
  // gradients read inside it, that walk over ~200,000 floats took ~135 ms a batch in each worker (CPU
  // profile of bench:train), about as long as the worker's matrix products.
  const result = tf.tidy(() =>
    net.lossAndGradients(
      stepsFromTimeMajor(message.x, sequenceLength, featureCount),
      tf.tensor2d(message.y, [batch, 1]),
      { masks },
    ),
  );
  const loss = result.loss.dataSync()[0] as number;
  const grads = result.grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([result.loss, ...result.grads]);
  send(
    { type: 'gradients', id: message.id, loss, grads },
    grads.map((g) => g.buffer as ArrayBuffer),
  );
}
