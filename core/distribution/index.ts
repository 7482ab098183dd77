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
export {
  B0_RETURNS,
  MIN_SIGMA,
  RISKMETRICS_LAMBDA,
  ewmaVariance,
  logReturns,
  sigmaB0,
  sigmaB1,
} from './baselines.js';
export {
  BASIS_POINTS,
  DistributionScoresSchema,
  INTERVAL_KEYS,
  INTERVAL_LEVELS,
  QUANTILE_KEYS,
  QUANTILE_LEVELS,
  crpsSkill,
  intervalScore,
  pinballLoss,
  poolScores,
  type DistributionScores,
} from './scores.js';
export { scoreForecasts, type ForecastSet } from './score-forecasts.js';
export {
  CALIBRATED_LEVELS,
  REFERENCE_LEVEL,
  ScaleCalibrationSchema,
  calibratedPredictive,
  centralInterval,
  fitScaleCalibration,
  forecastQuantile,
  levelMultiplier,
  type CalibrationInput,
  type ScaleCalibration,
} from './calibration.js';
export { minimizeLbfgs, type Evaluation, type LbfgsOptions, type LbfgsResult } from './lbfgs.js';
export {
  DEFAULT_SCALE_INPUTS,
  ScaleInputsSpecSchema,
  scaleInputNames,
  writeScaleInputs,
  type ScaleInputsSpec,
} from './scale-inputs.js';
export {
  ScaleCorrectionSchema,
  correctedSigma,
  fitScaleCorrection,
  type ScaleCorrection,
  type ScaleCorrectionFit,
} from './linear-scale.js';
export {
  ForecastDistributionSchema,
  HeldOutFiguresSchema,
  NextCloseDistributionSchema,
  SERVED_QUANTILE_KEYS,
  ScaleKindSchema,
  ServedScaleSchema,
  b1Distribution,
  type ForecastDistribution,
  type HeldOutFigures,
  type NextCloseDistribution,
  type ServedScale,
} from './served-schema.js';
export {
  DistributionInputError,
  pointLocation,
  serveDistribution,
  windowScale,
  type NextCloseInput,
  type ScaleWindow,
  type ServedDistribution,
  type WindowScale,
} from './next-close.js';
export { priceDistribution, type PriceDistribution, type PriceForecastInput } from './price-forecast.js';
export { scaleFromCandles, type CandleScale } from './candle-scale.js';
export { SCALE_SEQUENCE_CHANNELS, writeScaleSequence } from './scale-sequence.js';
export {
  SCALE_NETWORK_FILE,
  ScaleSelectionSchema,
  SharedNetworkSchema,
  type ScaleSelection,
  type SharedNetwork,
} from './shared-network.js';
export { scaleNetworkFeeds, type ScaleNetworkFeeds } from './scale-network-input.js';
