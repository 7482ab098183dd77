/**
 * The ModelProto around a graph, as every exporter writes it: the opset and its IR version, the producer,
 * a structural check, and bytes that own their memory.
 */
import { DEFAULT_OPSET, irVersionForOpset, PRODUCER_NAME, SUPPORTED_OPSETS } from './constants.js';
import { OnnxExportError, UnsupportedOpsetError } from './errors.js';
import { onnx } from './proto.js';
import type { GraphProto, ModelProto } from './proto.js';
import type { ExportOptions } from './types.js';

export interface OpsetVersion {
  readonly opset: number;
  readonly irVersion: number;
}

/**
 * The opset asked for (DEFAULT_OPSET when none) and its IR version; checked before the weights, so a bad
 * opset is reported whatever the weights.
 *
 * @throws UnsupportedOpsetError when `options.opset` is outside SUPPORTED_OPSETS.
 */
export function opsetVersion(options: ExportOptions): OpsetVersion {
  const opset = options.opset ?? DEFAULT_OPSET;
  const irVersion = irVersionForOpset(opset);
  if (irVersion === undefined) {
    throw new UnsupportedOpsetError(opset, SUPPORTED_OPSETS.min, SUPPORTED_OPSETS.max);
  }
  return { opset, irVersion };
}

/** Serializes `graph` as a model of the default domain at `version`, with `docString` on the model too. */
export function encodeModel(
  version: OpsetVersion,
  options: ExportOptions,
  docString: string,
  graph: GraphProto,
): Uint8Array {
  const model: ModelProto = {
    irVersion: version.irVersion,
    opsetImport: [{ domain: '', version: version.opset }],
    producerName: PRODUCER_NAME,
    ...(options.producerVersion === undefined ? {} : { producerVersion: options.producerVersion }),
    docString,
    graph,
  };
  const problem = onnx.ModelProto.verify(model);
  if (problem !== null) throw new OnnxExportError(`The ONNX model message is malformed: ${problem}`);
  // protobufjs returns a Node Buffer, possibly a view into a shared pool; hand out bytes that own their memory.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
