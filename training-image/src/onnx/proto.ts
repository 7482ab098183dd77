/**
 * The ONNX protobuf messages (onnx-proto: protobufjs code generated from onnx.proto3).
 *
 * onnx-proto is a CommonJS module whose only export is the `onnx` namespace on its
 * `module.exports`; Node's ESM loader exposes that as the default export. This file is
 * the one place that knows it: import `onnx` and the message types from here.
 */
import onnxProto from 'onnx-proto';
import type * as OnnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;

export type AttributeProto = OnnxProto.onnx.IAttributeProto;
export type GraphProto = OnnxProto.onnx.IGraphProto;
export type ModelProto = OnnxProto.onnx.IModelProto;
export type NodeProto = OnnxProto.onnx.INodeProto;
export type TensorProto = OnnxProto.onnx.ITensorProto;
export type ValueInfoProto = OnnxProto.onnx.IValueInfoProto;
export type DecodedModel = OnnxProto.onnx.ModelProto;
