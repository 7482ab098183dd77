export { accessLog, type AccessLogOptions } from './access-log.js';
export { cors, type CorsOptions } from './cors.js';
export { errorResponder, type ErrorResponderOptions } from './error-responder.js';
export { methodGuard, type MethodGuardOptions } from './method-guard.js';
export { requestParser, type ParsedEvent, type RequestParserOptions } from './request-parser.js';
