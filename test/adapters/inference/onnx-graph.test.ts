import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALLOWED_OPERATORS,
  OnnxGraphError,
  operatorProblems,
  readOnnxGraph,
} from '../../../adapters/inference/onnx-graph.js';
import { exportToOnnx } from '../../../training-image/src/onnx/index.js';
import { onnx } from '../../../training-image/src/onnx/proto.js';
import { randomWeights } from '../../training-image/onnx/fixtures.js';

/** Models the exporter writes: the level and residual heads, one and two layers. */
const EXPORTED = [
  exportToOnnx(randomWeights({ sequenceLength: 12, featureCount: 9, hiddenSizes: [4] }, 1)),
  exportToOnnx({
    ...randomWeights({ sequenceLength: 24, featureCount: 14, hiddenSizes: [8, 8] }, 2),
    residualFeature: 7,
    outputScale: 0.5,
  }),
];

describe('readOnnxGraph', () => {
  it("reads the nodes and opset domains onnx-proto's full decoder reads, on exported models", () => {
    for (const bytes of EXPORTED) {
      const decoded = onnx.ModelProto.decode(bytes);
      const graph = readOnnxGraph(bytes);
      assert.deepEqual(
        graph.nodes,
        (decoded.graph?.node ?? []).map((node) => ({ opType: node.opType ?? '', domain: node.domain ?? '' })),
      );
      assert.deepEqual(
        graph.opsetDomains,
        (decoded.opsetImport ?? []).map((opset) => opset.domain ?? ''),
      );
      assert.ok(graph.nodes.length > 2);
    }
  });

  it('allows every operator the exporter emits, and nothing is refused in its models', () => {
    for (const bytes of EXPORTED) {
      const graph = readOnnxGraph(bytes);
      assert.deepEqual(operatorProblems(graph), []);
      for (const node of graph.nodes) assert.ok(ALLOWED_OPERATORS.has(node.opType), node.opType);
    }
  });

  it('refuses an operator outside the list, a custom domain, and a foreign operator set', () => {
    const model = onnx.ModelProto.decode(EXPORTED[0] as Uint8Array);
    const nodes = model.graph?.node ?? [];
    (nodes[0] as { opType: string }).opType = 'Loop';
    (nodes[1] as { domain: string }).domain = 'com.example';
    model.opsetImport = [...(model.opsetImport ?? []), { domain: 'com.example', version: 1 }];
    const problems = operatorProblems(readOnnxGraph(onnx.ModelProto.encode(model).finish()));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /operator sets outside ONNX's own: com\.example/);
    assert.match(problems.join('\n'), /the graph runs Loop, com\.example\.\w+, outside the allow-list/);
  });

  it('refuses bytes that are not an ONNX model, whatever they hold', () => {
    for (const bytes of [
      new TextEncoder().encode('not onnx'),
      new Uint8Array([0x3a, 0x05, 0x0a]), // graph field running past the end
      new Uint8Array([0x08, 0x96]), // a truncated varint
      new Uint8Array(0), // no graph
    ]) {
      assert.throws(() => readOnnxGraph(bytes), OnnxGraphError);
    }
  });
});
