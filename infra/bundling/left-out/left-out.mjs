/**
 * What a left-out module's exports do when used: throw, naming the module and where the list is.
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

/**
 * An exported object (a curve) that may be referenced when its importer loads, as ccxt's table of
 * curves by OID does, and throws as above on the first use of any of its members.
 */
export function leftOutObject(module, feature) {
  const fail = leftOut(module, feature);
  return new Proxy(
    {},
    {
      get(_target, member) {
        // Probes that are not uses (await, inspection) find nothing.
        if (typeof member === 'symbol' || member === 'then') return undefined;
        return fail();
      },
    },
  );
}
