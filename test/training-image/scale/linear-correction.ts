import {
  DEFAULT_SCALE_INPUTS,
  fitScaleCorrection,
  unitFamily,
  type ScaleCorrection,
} from '../../../core/distribution/index.js';
import type { ScaleWindows } from '../../../training-image/src/scale/windows.js';

/** The family the scale tests fit: a Student-t with 5 degrees of freedom. */
export const STUDENT_T = unitFamily({ name: 'student_t', nu: 5 });

/** The linear scale correction fitted on `windows`, that a scale network starts from. */
export function linearOn(windows: ScaleWindows): ScaleCorrection {
  return fitScaleCorrection({
    family: STUDENT_T,
    inputs: DEFAULT_SCALE_INPUTS,
    x: windows.inputs,
    sigmaBase: windows.sigmaB1,
    outcomes: windows.logReturn,
    l2: 1e-4,
    weighting: 'relative',
  });
}
