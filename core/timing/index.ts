export {
  STARTUP_MEASURE_PREFIX,
  STARTUP_STEPS,
  recordStartupStep,
  type StartupStep,
} from './startup-steps.js';
