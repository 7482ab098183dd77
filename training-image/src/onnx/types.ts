export interface ExportOptions {
  /** Opset of the default ONNX domain, from SUPPORTED_OPSETS. Default 17 (IR version 8). */
  readonly opset?: number;
  /** Written to ModelProto.producer_version, for example the package version or git sha. */
  readonly producerVersion?: string;
  /** Written to ModelProto.doc_string; a description of the network is used when absent. */
  readonly docString?: string;
}

/** numpy.allclose tolerances: |actual - expected| <= atol + rtol * |expected|. */
export interface ParityTolerance {
  readonly atol: number;
  readonly rtol: number;
}

export interface ParityReport {
  /** True when every element is within tolerance (and both arrays are free of NaN). */
  readonly ok: boolean;
  /** Largest |actual - expected|; 0 when there are no elements, NaN when a NaN was compared. */
  readonly maxAbsError: number;
  /** Largest |actual - expected| / |expected| (Infinity where expected is 0 and actual is not). */
  readonly maxRelError: number;
  /**
   * Index of the element furthest outside (or closest to the edge of) its tolerance, the
   * one to print when the check fails; -1 when there are no elements.
   */
  readonly worstIndex: number;
  /** Number of elements compared. */
  readonly count: number;
  /** Number of elements outside tolerance. */
  readonly failures: number;
}
