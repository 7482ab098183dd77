/**
 * The program the server's child process runs: CommonJS, plain JavaScript, so that it needs no
 * loader. It receives s3rver's options over IPC, answers `{ type: 'listening', port }` or
 * `{ type: 'error', message }`, and stops on `{ type: 'close' }` or when its parent goes away.
 * `S3RVER_MODULE` is the path of s3rver's entry point, resolved by the parent.
 */
export const CHILD_SCRIPT = String.raw`
'use strict';
const S3rver = require(process.env.S3RVER_MODULE);
const CLOSE_GRACE_MS = 1000;
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
