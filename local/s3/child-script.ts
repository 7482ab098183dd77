import { REQUEST_GUARD_SCRIPT } from './request-guard-script.js';

/**
 * The program the server's child process runs: CommonJS, plain JavaScript, so that it needs no
 * loader. It receives s3rver's options and the request guard's policy (the access key it accepts and
 * the Host names it answers to) over IPC, answers `{ type: 'listening', port }` or
 * `{ type: 'error', message }`, and stops on `{ type: 'close' }` or when its parent goes away.
 * `S3RVER_MODULE` is the path of s3rver's entry point, resolved by the parent.
 *
 * Two S3 behaviours s3rver lacks are added here, because the artifact store's publication relies on
 * them (concurrent publishes must not move latest.json backwards):
 * - PutObject is atomic: the body and the metadata go to temporary files renamed over the old ones,
 *   so a reader sees the old object or the new one, never a truncated one (s3rver writes in place,
 *   and answers 500 to a read that finds half a metadata file).
 * - Conditional writes, as AWS S3 has them since 2024: PutObject with If-None-Match: * answers 412
 *   PreconditionFailed when the key exists; with If-Match: <etag>, 412 when the ETag differs and 404
 *   NoSuchKey when the key is missing. Writes of one key (PUT, DELETE) run one at a time, so the check
 *   and the write are one step, as on S3.
 *
 * Before either, first in the chain, the request guard (request-guard-script.ts) refuses what is not
 * a signed request from an S3 client: see local/s3-server.ts.
 */
export const CHILD_SCRIPT = String.raw`
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const s3rverLib = path.dirname(process.env.S3RVER_MODULE);
// Before s3rver loads: its store takes walk() from utils when it is required.
require(path.join(s3rverLib, 'utils.js')).walk = tolerantWalk;
const S3rver = require(process.env.S3RVER_MODULE);
const S3Object = require(path.join(s3rverLib, 'models', 'object.js'));
const AWSAccount = require(path.join(s3rverLib, 'models', 'account.js'));
const requestGuard = ${REQUEST_GUARD_SCRIPT}(crypto);
const CLOSE_GRACE_MS = 1000;

function gone(error) {
  return Boolean(error) && (error.code === 'ENOENT' || error.code === 'ENOTEMPTY');
}

// s3rver's walk, but a file or folder deleted while a listing walks past it is skipped, not a 500.
function* tolerantWalk(dir, recurseFilter) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if (gone(error)) return;
    throw error;
  }
  for (const name of names) {
    const file = path.posix.join(dir, name);
    let stats;
    try {
      stats = fs.statSync(file);
    } catch (error) {
      if (gone(error)) continue;
      throw error;
    }
    if (!stats.isDirectory()) yield file;
    else if (!recurseFilter || recurseFilter(file)) yield* tolerantWalk(file, recurseFilter);
  }
}

// Writes of one key, one at a time: each waits for the previous one's promise.
const writing = new Map();
function oneAtATime(id, task) {
  const previous = writing.get(id) || Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.then(() => undefined, () => undefined);
  writing.set(id, tail);
  tail.then(() => {
    if (writing.get(id) === tail) writing.delete(id);
  });
  return run;
}

function objectOf(ctx) {
  const url = new URL(ctx.url, 'http://local');
  // Multipart parts and other sub-resources are left to s3rver as they are; x-id names the operation.
  if ([...url.searchParams.keys()].some((name) => name !== 'x-id')) return null;
  const parts = url.pathname.split('/');
  if (parts.length < 3 || parts[1] === '' || parts.slice(2).join('') === '') return null;
  return { bucket: decodeURIComponent(parts[1]), key: decodeURIComponent(parts.slice(2).join('/')) };
}

function unquote(etag) {
  return String(etag).trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

function s3Error(ctx, status, code, message, condition) {
  ctx.req.resume(); // the body is not wanted; let it drain so the connection stays usable
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>' + code + '</Code><Message>' + message +
    '</Message>' + (condition ? '<Condition>' + condition + '</Condition>' : '') + '</Error>';
}

async function conditionalWrites(ctx, next) {
  const target = (ctx.method === 'PUT' || ctx.method === 'DELETE') && objectOf(ctx);
  if (!target) return next();
  return oneAtATime(target.bucket + '/' + target.key, async () => {
    const ifMatch = ctx.get('if-match');
    const ifNoneMatch = ctx.get('if-none-match');
    if (ctx.method === 'PUT' && (ifMatch || ifNoneMatch)) {
      let etag = null;
      try {
        etag = unquote((await ctx.app.store.getMetadata(target.bucket, target.key)).etag);
      } catch (error) {
        if (!error || error.code !== 'ENOENT') throw error;
      }
      if (ifNoneMatch && unquote(ifNoneMatch) === '*' && etag !== null) {
        return s3Error(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 'If-None-Match');
      }
      if (ifMatch && etag === null) {
        return s3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
      }
      if (ifMatch && unquote(ifMatch) !== '*' && unquote(ifMatch) !== etag) {
        return s3Error(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 'If-Match');
      }
    }
    // A client that gives up mid-upload must not hold the key forever: its body never ends.
    await new Promise((resolve, reject) => {
      ctx.res.once('close', resolve);
      next().then(resolve, reject);
    });
  });
}

function partialName(file) {
  return file + '.' + crypto.randomBytes(6).toString('hex') + '.partial';
}

async function writeAtomically(file, data) {
  const temporary = partialName(file);
  await fs.promises.writeFile(temporary, data);
  await fs.promises.rename(temporary, file);
}

// As s3rver's own, but a reader never finds a half-written metadata file (which it answers with 500).
async function atomicPutMetadata(bucket, key, metadata, md5) {
  const kept = {};
  for (const [name, value] of Object.entries(metadata || {})) {
    if (S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')) kept[name] = value;
  }
  if (md5) await writeAtomically(this.getResourcePath(bucket, key, 'object.md5'), md5);
  await writeAtomically(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(kept, null, 2));
}

// Body to a temporary file (not listed: it lacks s3rver's object suffix), then renamed over the object.
async function atomicPutObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  const temporary = partialName(objectPath);
  const md5 = crypto.createHash('md5');
  let size = 0;
  try {
    // A delete of the folder's last other key may remove the folder between mkdir and open: again.
    let out;
    for (let attempt = 1; out === undefined; attempt += 1) {
      await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
      try {
        out = fs.createWriteStream(temporary, { fd: await fs.promises.open(temporary, 'w') });
      } catch (error) {
        if (!gone(error) || attempt >= 5) throw error;
      }
    }
    await new Promise((resolve, reject) => {
      out.on('error', reject);
      out.on('close', resolve);
      if (Buffer.isBuffer(object.content)) {
        md5.update(object.content);
        size = object.content.length;
        out.end(object.content);
      } else {
        object.content.on('error', reject);
        object.content.on('data', (chunk) => {
          md5.update(chunk);
          size += chunk.length;
        });
        object.content.pipe(out);
      }
    });
    await fs.promises.rename(temporary, objectPath);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
}

let server;
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  // Let requests in flight finish, but not forever: a test waiting on close must not hang.
  setTimeout(() => process.exit(0), CLOSE_GRACE_MS).unref();
  const done = () => process.exit(0);
  if (server) server.close().then(done, done);
  else done();
}
process.on('message', (message) => {
  if (message && message.type === 'start') {
    const failed = (error) =>
      process.send({ type: 'error', message: String((error && error.message) || error) }, () => process.exit(1));
    // s3rver's listen() never rejects: a taken port surfaces as an uncaught 'error' event instead.
    process.once('uncaughtException', failed);
    server = new S3rver(message.options);
    server.store.putObject = atomicPutObject;
    server.store.putMetadata = atomicPutMetadata;
    // Deletes in one folder at once race to remove it when it empties: already gone is done.
    const deleteObject = server.store.deleteObject;
    server.store.deleteObject = async function (bucket, key) {
      try {
        await deleteObject.call(this, bucket, key);
      } catch (error) {
        if (!gone(error)) throw error;
      }
    };
    // s3rver looks the access key up in its account registry (after the guard has verified the
    // signature): the configured key is the only one there.
    const policy = message.policy;
    for (const accessKeyId of [...AWSAccount.registry.keys()]) AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
    AWSAccount.DUMMY_ACCOUNT.createKeyPair(policy.accessKeyId, policy.secretAccessKey);
    // First in the chain, the guard, then conditional writes: Koa composes its middleware when the
    // server starts listening, so a refused request never reaches a key's queue or s3rver.
    server.middleware.unshift(requestGuard.middleware(policy), conditionalWrites);
    server.run().then((address) => {
      process.off('uncaughtException', failed);
      process.send({ type: 'listening', port: address.port });
    }, failed);
  } else if (message && message.type === 'close') {
    stop();
  }
});
process.once('disconnect', stop);
`;
