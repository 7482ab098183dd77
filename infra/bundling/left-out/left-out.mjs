/**
 * What a left-out module's exports do when called: throw, naming the module and where the list is.
 * See LEFT_OUT_MODULES in infra/bundling/function-esbuild.ts.
 */
export function leftOut(module, feature) {
  return function leftOutOfTheBundle() {
    throw new Error(
      `${module} (${feature}) is left out of the Lambda functions' bundles: ` +
        'remove it from LEFT_OUT_MODULES in infra/bundling/function-esbuild.ts to use it there',
    );
  };
}
