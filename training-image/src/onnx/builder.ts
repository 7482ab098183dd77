/**
 * Small helpers that build ONNX protobuf messages as plain objects, so the graph in
 * export.ts reads like the network it describes.
 */
import { onnx } from './proto.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from './proto.js';

const AttributeType = onnx.AttributeProto.AttributeType;
const DataType = onnx.TensorProto.DataType;
const utf8 = new TextEncoder();

export interface NodeSpec {
  readonly opType: string;
  /** Unique node name, for error messages and graph viewers. */
  readonly name: string;
  /** Input value names; '' marks an optional input that is not given. */
  readonly inputs: readonly string[];
  /** Output value names; '' marks an optional output that is not wanted. */
  readonly outputs: readonly string[];
  readonly attributes?: readonly AttributeProto[];
  readonly docString?: string;
}

export function node(spec: NodeSpec): NodeProto {
  return {
    opType: spec.opType,
    name: spec.name,
    input: [...spec.inputs],
    output: [...spec.outputs],
    attribute: spec.attributes ? [...spec.attributes] : [],
    ...(spec.docString === undefined ? {} : { docString: spec.docString }),
  };
}

export function intAttribute(name: string, value: number): AttributeProto {
  return { name, type: AttributeType.INT, i: value };
}

export function intsAttribute(name: string, values: readonly number[]): AttributeProto {
  return { name, type: AttributeType.INTS, ints: [...values] };
}

export function stringAttribute(name: string, value: string): AttributeProto {
  return { name, type: AttributeType.STRING, s: utf8.encode(value) };
}

export function stringsAttribute(name: string, values: readonly string[]): AttributeProto {
  return { name, type: AttributeType.STRINGS, strings: values.map((v) => utf8.encode(v)) };
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, d) => product * d, 1);
}

function checkLength(name: string, dims: readonly number[], length: number): void {
  if (length !== elementCount(dims)) {
    throw new RangeError(`Initializer ${name}: ${length} values do not fill dims [${dims.join(', ')}]`);
  }
}

/** A constant of `count` values, `bytesPerValue` each, that `write` stores into raw_data one by one. */
function rawInitializer(
  name: string,
  dims: readonly number[],
  dataType: number,
  count: number,
  bytesPerValue: number,
  write: (view: DataView, k: number) => void,
  docString: string | undefined,
): TensorProto {
  checkLength(name, dims, count);
  const raw = new Uint8Array(count * bytesPerValue);
  const view = new DataView(raw.buffer);
  for (let k = 0; k < count; k += 1) write(view, k);
  return {
    name,
    dataType,
    dims: [...dims],
    rawData: raw,
    ...(docString === undefined ? {} : { docString }),
  };
}

/** A float32 constant; values are stored as little-endian raw_data whatever the host's byte order. */
export function floatInitializer(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
  docString?: string,
): TensorProto {
  const write = (view: DataView, k: number): void => view.setFloat32(k * 4, values[k] ?? 0, true);
  return rawInitializer(name, dims, DataType.FLOAT, values.length, 4, write, docString);
}

/** An int64 constant (shapes, axes), stored as little-endian raw_data. */
export function int64Initializer(
  name: string,
  dims: readonly number[],
  values: readonly number[],
  docString?: string,
): TensorProto {
  const write = (view: DataView, k: number): void => view.setBigInt64(k * 8, BigInt(values[k]!), true);
  return rawInitializer(name, dims, DataType.INT64, values.length, 8, write, docString);
}

/** A float32 graph input or output; a string dimension is symbolic (dim_param), a number fixed. */
export function floatTensorValueInfo(
  name: string,
  dims: readonly (number | string)[],
  docString?: string,
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
    ...(docString === undefined ? {} : { docString }),
  };
}
