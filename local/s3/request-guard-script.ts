/**
 * The request guard of the local S3 server: plain JavaScript (like child-script.ts, so that the child
 * needs no loader), an expression that evaluates to a factory. The child runs
 * `(REQUEST_GUARD_SCRIPT)(require('crypto'))` and puts `guard.middleware(policy)` first in s3rver's
 * Koa chain; test/local/s3-guard.test.ts evaluates the same text to test the pure parts in-process.
 *
 * `refusalOf(request, policy, nowMs)` is the whole decision: a plain function of the method, the
 * request target, the raw headers, the policy `{ accessKeyId, secretAccessKey, hostnames }` and the
 * clock, that answers null (let s3rver handle it) or the refusal `{ rule, status, code, message,
 * detail }`. The rules, in the order they are checked (local/s3-server.ts says why each exists):
 * - `no-web-pages`: an `Origin` header, or a `Sec-Fetch-Site` header other than `none`.
 * - `own-host-only`: a `Host` whose name is not one of `policy.hostnames` (any port).
 * - `no-form-uploads`: a multipart/form-data body, or a POST to a bucket other than DeleteObjects.
 * - `signed-requests-only`: no AWS Signature V4 made with the policy's keys (Authorization header or
 *   presigned query), or one that does not verify, or one outside its time window.
 *
 * Signature V4 is verified as S3 does it: the canonical request (method, the path as sent, the query
 * re-encoded and sorted, the signed headers trimmed and folded, the x-amz-content-sha256 value, or
 * UNSIGNED-PAYLOAD for a presigned URL), the string to sign over its SHA-256 with the credential
 * scope, and the HMAC chain from "AWS4" + secret through date, region, service and "aws4_request".
 * The body itself is not hashed: the client's x-amz-content-sha256 claim is what is signed.
 */
export const REQUEST_GUARD_SCRIPT = String.raw`
(function requestGuardModule(crypto) {
  'use strict';
  const ALGORITHM = 'AWS4-HMAC-SHA256';
  const MAX_SKEW_MS = 15 * 60 * 1000;
  const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
  const PRESIGNED_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
  const LONG_DATE = /^(\d{8})T\d{6}Z$/;
  const SIGNATURE = /^[0-9a-f]{64}$/;
  const HOST_SYNTAX = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+)(:\d{1,5})?$/;
  const CLIENTS = 'the local S3 server answers only S3 clients such as the AWS SDK, signed with its access key';
  const NO_PAGES = 'the local S3 server never answers a browser, so that no page can read or plant models (it answers only S3 clients such as the AWS SDK)';

  function refusal(rule, status, code, message, detail) {
    return { rule: rule, status: status, code: code, message: message, detail: detail || {} };
  }

  function signatureRefusal(status, code, message, detail) {
    return refusal('signed-requests-only', status, code, message, detail);
  }

  // Header values by lower-case name, in arrival order: rawHeaders keeps what req.headers merges or drops.
  function headerMap(rawHeaders) {
    const headers = new Map();
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i].toLowerCase();
      const values = headers.get(name);
      if (values) values.push(rawHeaders[i + 1]);
      else headers.set(name, [rawHeaders[i + 1]]);
    }
    return headers;
  }

  // As the SDK's signer: each value trimmed, runs of spaces and tabs folded, repeats joined by commas.
  function canonicalHeaderValue(values) {
    return values.map((value) => value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '')).join(',');
  }

  // RFC 3986 escaping, as the SDK's escapeUri: encodeURIComponent plus ! ' ( ) *.
  function escapeUri(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }

  function decode(text) {
    try {
      return decodeURIComponent(text);
    } catch (error) {
      return null;
    }
  }

  // The query as decoded [name, value] pairs, repeats kept; null when a part is not valid percent-encoding.
  function queryPairs(raw) {
    const pairs = [];
    for (const part of raw.split('&')) {
      if (part === '') continue;
      const equals = part.indexOf('=');
      const name = decode(equals === -1 ? part : part.slice(0, equals));
      const value = decode(equals === -1 ? '' : part.slice(equals + 1));
      if (name === null || value === null) return null;
      pairs.push([name, value]);
    }
    return pairs;
  }

  function canonicalQuery(pairs) {
    return pairs
      .filter(([name]) => name.toLowerCase() !== 'x-amz-signature')
      .map(([name, value]) => [escapeUri(name), escapeUri(value)])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([name, value]) => name + '=' + value)
      .join('&');
  }

  function hmac(key, text) {
    return crypto.createHmac('sha256', key).update(text, 'utf8').digest();
  }

  function sha256Hex(text) {
    return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
  }

  function parseLongDate(text) {
    const match = LONG_DATE.exec(text || '');
    if (!match) return null;
    const iso = text.slice(0, 4) + '-' + text.slice(4, 6) + '-' + text.slice(6, 11) + ':' + text.slice(11, 13) + ':' + text.slice(13);
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? null : { ms: ms, day: match[1] };
  }

  function hostnameOf(host) {
    if (!HOST_SYNTAX.test(host)) return null;
    try {
      return new URL('http://' + host).hostname.replace(/^\[|\]$/g, '');
    } catch (error) {
      return null;
    }
  }

  // What the client signed, checked field by field; a refusal, or the parts the signature is computed from.
  function signedParts(auth, headers, policy, nowMs) {
    const malformed = auth.presigned
      ? (message) => signatureRefusal(400, 'AuthorizationQueryParametersError', message)
      : (message) => signatureRefusal(400, 'AuthorizationHeaderMalformed', message);
    const scope = auth.credential.split('/');
    if (scope.length !== 5 || scope.some((part) => part === '')) {
      return malformed('the credential must be ACCESS_KEY/YYYYMMDD/REGION/s3/aws4_request, got "' + auth.credential + '".');
    }
    const [accessKeyId, day, region, service, terminal] = scope;
    if (accessKeyId !== policy.accessKeyId) {
      return signatureRefusal(403, 'InvalidAccessKeyId', 'the request is signed with access key "' + accessKeyId + '"; ' + CLIENTS + ' "' + policy.accessKeyId + '".', { AWSAccessKeyId: accessKeyId });
    }
    if (service !== 's3' || terminal !== 'aws4_request') {
      return malformed('the credential scope must end with /s3/aws4_request, got "/' + service + '/' + terminal + '".');
    }
    const date = parseLongDate(auth.date);
    if (date === null) {
      return malformed(auth.presigned ? 'X-Amz-Date must be YYYYMMDDTHHMMSSZ.' : 'a signed request needs an x-amz-date header (YYYYMMDDTHHMMSSZ).');
    }
    if (date.day !== day) {
      return malformed('the credential date ' + day + ' is not the date of the request, ' + date.day + '.');
    }
    if (!SIGNATURE.test(auth.signature)) {
      return malformed('the signature must be 64 lower-case hex digits.');
    }
    const signedNames = auth.signedHeaders.split(';');
    if (!signedNames.includes('host')) return malformed('the signed headers must include host.');
    if (!auth.presigned && !signedNames.includes('x-amz-date')) return malformed('the signed headers must include x-amz-date.');
    for (const name of signedNames) {
      if (!headers.has(name)) return malformed('the signed header "' + name + '" is not in the request.');
    }
    if (auth.presigned) {
      if (!/^\d+$/.test(auth.expires) || Number(auth.expires) < 1 || Number(auth.expires) > MAX_PRESIGNED_SECONDS) {
        return malformed('X-Amz-Expires must be a whole number of seconds from 1 to 604800.');
      }
      if (nowMs > date.ms + Number(auth.expires) * 1000) {
        return signatureRefusal(403, 'AccessDenied', 'the presigned URL has expired (signed ' + auth.date + ', valid for ' + auth.expires + ' s).');
      }
      if (date.ms - nowMs > MAX_SKEW_MS) {
        return signatureRefusal(403, 'AccessDenied', 'the presigned URL is not valid yet (signed for ' + auth.date + ').');
      }
    } else if (Math.abs(nowMs - date.ms) > MAX_SKEW_MS) {
      return signatureRefusal(403, 'RequestTimeTooSkewed', 'the request was signed at ' + auth.date + ', more than 15 minutes from the server clock.', { RequestTime: auth.date, ServerTime: new Date(nowMs).toISOString() });
    }
    return { scope: day + '/' + region + '/s3/aws4_request', day: day, region: region, signedNames: signedNames };
  }

  // The Authorization header or the presigned query, parsed; a refusal when neither or both are there.
  function authOf(headers, pairs) {
    const query = new Map(pairs);
    const header = headers.has('authorization') ? canonicalHeaderValue(headers.get('authorization')) : null;
    const presigned = query.has('X-Amz-Algorithm');
    const version2 = query.has('Signature') || query.has('AWSAccessKeyId') || (header !== null && /^AWS /.test(header));
    if (version2) {
      return signatureRefusal(400, 'InvalidRequest', 'AWS Signature Version 2 is not accepted; sign with AWS4-HMAC-SHA256 (Signature Version 4).');
    }
    if (header !== null && presigned) {
      return signatureRefusal(400, 'InvalidArgument', 'only one authentication mechanism is allowed: the Authorization header or a presigned query, not both.');
    }
    if (header === null && !presigned) {
      return signatureRefusal(403, 'AccessDenied', 'the request carries no credentials (no Authorization header, no presigned query); ' + CLIENTS + ' (AWS Signature V4).');
    }
    if (presigned) {
      const missing = PRESIGNED_PARAMS.filter((name) => !query.has(name));
      if (missing.length > 0) {
        return signatureRefusal(400, 'AuthorizationQueryParametersError', 'a presigned URL needs ' + missing.join(', ') + '.');
      }
      if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
        return signatureRefusal(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm must be ' + ALGORITHM + '.');
      }
      const hashParam = pairs.find(([name]) => name.toLowerCase() === 'x-amz-content-sha256');
      return {
        presigned: true,
        credential: query.get('X-Amz-Credential'),
        signedHeaders: query.get('X-Amz-SignedHeaders'),
        signature: query.get('X-Amz-Signature'),
        date: query.get('X-Amz-Date'),
        expires: query.get('X-Amz-Expires'),
        payloadHash: hashParam ? hashParam[1] : 'UNSIGNED-PAYLOAD',
      };
    }
    const space = header.indexOf(' ');
    const algorithm = space === -1 ? header : header.slice(0, space);
    if (algorithm !== ALGORITHM) {
      return signatureRefusal(400, 'InvalidArgument', 'unsupported Authorization type "' + algorithm + '"; sign with ' + ALGORITHM + '.');
    }
    const fields = new Map();
    for (const field of header.slice(space + 1).split(',')) {
      const equals = field.indexOf('=');
      if (equals !== -1) fields.set(field.slice(0, equals).trim(), field.slice(equals + 1).trim());
    }
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.has(name));
    if (missing.length > 0) {
      return signatureRefusal(400, 'AuthorizationHeaderMalformed', 'the Authorization header lacks ' + missing.join(', ') + '.');
    }
    if (!headers.has('x-amz-content-sha256')) {
      return signatureRefusal(400, 'InvalidRequest', 'a signed request needs an x-amz-content-sha256 header.');
    }
    return {
      presigned: false,
      credential: fields.get('Credential'),
      signedHeaders: fields.get('SignedHeaders'),
      signature: fields.get('Signature'),
      date: headers.has('x-amz-date') ? canonicalHeaderValue(headers.get('x-amz-date')) : '',
      payloadHash: canonicalHeaderValue(headers.get('x-amz-content-sha256')),
    };
  }

  function canonicalRequest(method, path, pairs, headers, signedNames, payloadHash) {
    const lines = signedNames.map((name) => name + ':' + canonicalHeaderValue(headers.get(name)));
    return [method, path, canonicalQuery(pairs), lines.join('\n') + '\n', signedNames.join(';'), payloadHash].join('\n');
  }

  function signatureCheck(method, path, pairs, headers, policy, nowMs) {
    const auth = authOf(headers, pairs);
    if (auth.rule) return auth;
    const parts = signedParts(auth, headers, policy, nowMs);
    if (parts.rule) return parts;
    const request = canonicalRequest(method, path, pairs, headers, parts.signedNames, auth.payloadHash);
    const stringToSign = [ALGORITHM, auth.date, parts.scope, sha256Hex(request)].join('\n');
    let key = hmac('AWS4' + policy.secretAccessKey, parts.day);
    for (const part of [parts.region, 's3', 'aws4_request']) key = hmac(key, part);
    const expected = hmac(key, stringToSign);
    if (!crypto.timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) {
      return signatureRefusal(403, 'SignatureDoesNotMatch', 'the signature does not match the one computed with the secret key of access key "' + policy.accessKeyId + '"; check the key and the signing method.', { AWSAccessKeyId: policy.accessKeyId, StringToSign: stringToSign, CanonicalRequest: request });
    }
    return null;
  }

  function isFormUpload(method, path, pairs, headers) {
    const type = headers.has('content-type') ? headers.get('content-type').join(',').split(';')[0].trim().toLowerCase() : '';
    if (type === 'multipart/form-data') return true;
    // POST /bucket is s3rver's browser-upload route, whatever the body; DeleteObjects (?delete) is the one POST there.
    const bucketOnly = /^\/[^/]+\/?$/.test(path);
    return method === 'POST' && bucketOnly && !pairs.some(([name]) => name === 'delete');
  }

  // null to let the request through, or the refusal: the first rule it breaks.
  function refusalOf(request, policy, nowMs) {
    const headers = headerMap(request.rawHeaders);
    if (headers.has('origin')) {
      const origin = headers.get('origin').join(',');
      return refusal('no-web-pages', 403, 'AccessDenied', 'the request carries an Origin header (' + origin + '), so a web page sent it; ' + NO_PAGES + '.', { Origin: origin });
    }
    if (headers.has('sec-fetch-site')) {
      const site = canonicalHeaderValue(headers.get('sec-fetch-site')).toLowerCase();
      if (site !== 'none') {
        return refusal('no-web-pages', 403, 'AccessDenied', 'the request carries Sec-Fetch-Site: ' + site + ', so a web page sent it; ' + NO_PAGES + '.', { SecFetchSite: site });
      }
    }
    const host = headers.has('host') ? headers.get('host').join(',') : '';
    const hostname = hostnameOf(host);
    if (hostname === null || !policy.hostnames.includes(hostname)) {
      return refusal('own-host-only', 403, 'AccessDenied', 'the Host header "' + host + '" names another server; this one answers to ' + policy.hostnames.join(', ') + ' (a page on another name that resolves here, DNS rebinding, is refused).', { Host: host });
    }
    const target = request.url;
    const question = target.indexOf('?');
    const path = question === -1 ? target : target.slice(0, question);
    const pairs = queryPairs(question === -1 ? '' : target.slice(question + 1));
    if (!path.startsWith('/') || pairs === null) {
      return refusal('signed-requests-only', 400, 'InvalidURI', 'the request target is not a path with a valid query.');
    }
    if (isFormUpload(request.method, path, pairs, headers)) {
      return refusal('no-form-uploads', 403, 'AccessDenied', 'form uploads (POST to a bucket, multipart/form-data) are what a web page can send, so the local S3 server takes none; upload with PutObject.');
    }
    return signatureCheck(request.method, path, pairs, headers, policy, nowMs);
  }

  function escapeXml(text) {
    return String(text).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
  }

  // The S3 error document for a refusal; the message names the rule, for the developer who meets it.
  function errorXml(found) {
    const message = 'Refused by the local S3 server, rule ' + found.rule + ': ' + found.message;
    let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' + found.code + '</Code><Message>' + escapeXml(message) + '</Message><Rule>' + found.rule + '</Rule>';
    for (const [name, value] of Object.entries(found.detail)) xml += '<' + name + '>' + escapeXml(value) + '</' + name + '>';
    return xml + '</Error>';
  }

  function middleware(policy) {
    return async function requestGuard(ctx, next) {
      const found = refusalOf({ method: ctx.method, url: ctx.url, rawHeaders: ctx.req.rawHeaders }, policy, Date.now());
      if (found === null) return next();
      ctx.req.resume(); // the body is not wanted; let it drain so the connection stays usable
      ctx.status = found.status;
      ctx.type = 'application/xml';
      ctx.body = errorXml(found);
    };
  }

  return { refusalOf: refusalOf, canonicalQuery: canonicalQuery, queryPairs: queryPairs, errorXml: errorXml, middleware: middleware };
})
`;
