// ccxt's dYdX helpers import protobufjs in a try/catch when ccxt loads, and use it only to sign dYdX
// orders: undefined is what they get when the import fails.
export default undefined;
