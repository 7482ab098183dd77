/** Base error of the ONNX export: the model could not be built or checked. */
export class OnnxExportError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OnnxExportError';
  }
}

/** The weights do not describe a network the exporter can build; `problems` lists every reason. */
export class InvalidWeightsError extends OnnxExportError {
  public readonly problems: readonly string[];

  public constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`Cannot export these weights to ONNX:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'InvalidWeightsError';
    this.problems = problems;
  }
}

/** The requested opset is outside the range this exporter writes. */
export class UnsupportedOpsetError extends OnnxExportError {
  public readonly opset: number;

  public constructor(opset: number, min: number, max: number) {
    super(`ONNX opset ${opset} is not supported: use an integer from ${min} to ${max}`);
    this.name = 'UnsupportedOpsetError';
    this.opset = opset;
  }
}

/** Two output arrays that should be compared element by element have different lengths. */
export class ParityShapeError extends OnnxExportError {
  public constructor(message: string) {
    super(message);
    this.name = 'ParityShapeError';
  }
}
