/**
 * The operators an ONNX model runs, read from its protobuf bytes before onnxruntime parses them: what
 * serving checks against ALLOWED_OPERATORS. A reader of the three fields it needs (ModelProto.graph,
 * opset_import, GraphProto.node's op_type and domain), written out because the functions' bundles leave
 * protobufjs out (infra/bundling: ccxt imports it, and it cost every cold start); the tests check it
 * against onnx-proto's full decoder on real exported models.
 */

/** The operators the project's exporters emit (training-image/src/onnx), in the default ONNX domain. */
export const ALLOWED_OPERATORS: ReadonlySet<string> = new Set([
  'Add',
  'LSTM',
  'MatMul',
  'Slice',
  'Squeeze',
  'Transpose',
]);

export interface OnnxGraphSummary {
  /** Every node of the main graph: its operator and domain ('' is the default ONNX domain). */
  readonly nodes: readonly { readonly opType: string; readonly domain: string }[];
  /** The operator set domains the model imports ('' is ai.onnx). */
  readonly opsetDomains: readonly string[];
}

export class OnnxGraphError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'OnnxGraphError';
  }
}

/** Fields of a message: each field number with its wire type and value (a number, or the bytes). */
type Field = { readonly field: number } & (
  { readonly wire: 0 | 1 | 5; readonly value: number } | { readonly wire: 2; readonly bytes: Uint8Array }
);

function* fields(bytes: Uint8Array, what: string): Generator<Field> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length) throw new OnnxGraphError(`${what}: truncated varint`);
      const byte = bytes[at++]!;
      // Past 2^53 a number is not exact; no field this reader keeps is that large.
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
      if (shift > 63) throw new OnnxGraphError(`${what}: varint too long`);
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at + size > bytes.length) throw new OnnxGraphError(`${what}: truncated fixed field`);
      at += size;
      yield { field, wire, value: 0 };
    } else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) throw new OnnxGraphError(`${what}: field ${field} runs past the end`);
      yield { field, wire, bytes: bytes.subarray(at, at + length) };
      at += length;
    } else {
      throw new OnnxGraphError(`${what}: wire type ${wire} of field ${field} is not in ONNX's format`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new OnnxGraphError(`${what} is not UTF-8`);
  }
}

/** The graph's nodes and the opset domains of an ONNX ModelProto; OnnxGraphError for malformed bytes. */
export function readOnnxGraph(model: Uint8Array): OnnxGraphSummary {
  const nodes: { opType: string; domain: string }[] = [];
  const opsetDomains: string[] = [];
  let graphs = 0;
  for (const top of fields(model, 'ModelProto')) {
    if (top.wire !== 2) continue;
    if (top.field === 8) {
      // OperatorSetIdProto: domain = 1, version = 2.
      let domain = '';
      for (const f of fields(top.bytes, 'opset_import')) {
        if (f.field === 1 && f.wire === 2) domain = text(f.bytes, 'opset_import.domain');
      }
      opsetDomains.push(domain);
    } else if (top.field === 7) {
      graphs += 1;
      for (const g of fields(top.bytes, 'GraphProto')) {
        if (g.field !== 1 || g.wire !== 2) continue;
        // NodeProto: op_type = 4, domain = 7.
        let opType = '';
        let domain = '';
        for (const f of fields(g.bytes, 'NodeProto')) {
          if (f.wire !== 2) continue;
          if (f.field === 4) opType = text(f.bytes, 'NodeProto.op_type');
          else if (f.field === 7) domain = text(f.bytes, 'NodeProto.domain');
        }
        nodes.push({ opType, domain });
      }
    }
  }
  if (graphs !== 1) throw new OnnxGraphError(`a model has one graph; these bytes hold ${graphs}`);
  return { nodes, opsetDomains };
}

/**
 * Why the graph may not be run: operators outside ALLOWED_OPERATORS, or a domain other than ONNX's own.
 * Empty when it may.
 */
export function operatorProblems(
  graph: OnnxGraphSummary,
  allowed: ReadonlySet<string> = ALLOWED_OPERATORS,
): string[] {
  const problems: string[] = [];
  const foreign = graph.opsetDomains.filter((domain) => domain !== '' && domain !== 'ai.onnx');
  if (foreign.length > 0) {
    problems.push(
      `ALLOWED_OPERATORS: the graph imports operator sets outside ONNX's own: ${foreign.join(', ')}`,
    );
  }
  const refused = new Set<string>();
  for (const node of graph.nodes) {
    const name =
      node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}.${node.opType}`;
    if (!allowed.has(name)) refused.add(name);
  }
  if (refused.size > 0) {
    problems.push(
      `ALLOWED_OPERATORS: the graph runs ${[...refused].join(', ')}, outside the allow-list (${[...allowed].join(', ')})`,
    );
  }
  return problems;
}
