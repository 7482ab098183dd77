import type { ScaleCalibration } from '../../core/distribution/index.js';

/** The Student-t with 5 degrees of freedom: the family the product serves by default. */
export const T5 = { name: 'student_t', nu: 5 } as const;

/**
 * A split-conformal calibration of the Student-t as training fits one, with four levels whose
 * multipliers differ, so that a test can tell which level an interval was read at.
 */
export function studentTCalibration(windows: number): ScaleCalibration {
  return {
    method: 'split_conformal',
    family: T5,
    windows,
    reference_level: 0.9,
    scale: 1.07,
    levels: [
      { level: 0.5, multiplier: 0.93 },
      { level: 0.8, multiplier: 0.97 },
      { level: 0.9, multiplier: 1.07 },
      { level: 0.95, multiplier: 1.12 },
    ],
  };
}
