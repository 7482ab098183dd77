/** The scale head: sigma = sigma_B1 x exp(output), so an output of 0 (a zero-started layer) is B1 exactly. */
export function headScale(sigmaB1Value: number, output: number): number {
  return sigmaB1Value * Math.exp(output);
}
