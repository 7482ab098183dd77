export { FamilySpecSchema, GAUSSIAN, type FamilySpec, type UnitFamily } from './family.js';
export { normalCdf, normalCrps, normalPdf, normalQuantile, unitGaussian } from './gaussian.js';
export { unitStudentT } from './student-t.js';
export {
  cdf,
  crps,
  crpsLogScaleGradient,
  logScore,
  pdf,
  quantile,
  unitFamily,
  type Predictive,
} from './predictive.js';
