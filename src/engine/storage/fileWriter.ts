// Writes small downloaded files on one worker thread. Each file through libuv's thread pool is three
// hand-offs (open, write, close), each a wake-up of a pool thread and of the event loop; on a busy
// machine the event loop thread lost the CPU at most of them. Here a file is one message, the worker
// takes whatever has queued up in one go, and the event loop never blocks on the disk.
import { Worker } from 'worker_threads';

interface Job {
  resolve(): void;
  reject(err: Error): void;
}

// The worker is plain JavaScript in a string, so the bundled extension needs no second entry file.
const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
const fs = require('fs');
parentPort.on('message', (batch) => {
  const done = [];
  for (const { id, file, data } of batch) {
    try {
      const fd = fs.openSync(file, 'w');
      try {
        const buf = Buffer.from(data);
        let off = 0;
        while (off < buf.length) {
          const n = fs.writeSync(fd, buf, off, buf.length - off);
          if (n === 0) throw Object.assign(new Error('write wrote nothing'), { code: 'EIO', syscall: 'write' });
          off += n;
        }
      } finally {
        fs.closeSync(fd);
      }
      done.push({ id });
    } catch (e) {
      done.push({ id, error: { message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path || file } });
    }
  }
  parentPort.postMessage(done);
});
`;

let worker: Worker | undefined;
const jobs = new Map<number, Job>();
let nextId = 0;
let queue: { id: number; file: string; data: ArrayBuffer }[] = [];

function start(): Worker {
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (done: { id: number; error?: NodeJS.ErrnoException }[]) => {
    for (const d of done) {
      const job = jobs.get(d.id);
      jobs.delete(d.id);
      if (!d.error) job?.resolve();
      else job?.reject(Object.assign(new Error(d.error.message), d.error));
    }
    if (!jobs.size) w.unref();
  });
  // A worker that dies fails what it had and what waited to go to it; the next write starts a new one.
  // ('exit' follows 'error': only the first counts, and never for a newer worker's jobs.)
  const fail = (err: Error) => {
    if (worker !== w) return;
    worker = undefined;
    queue = [];
    for (const job of jobs.values()) job.reject(err);
    jobs.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`The file writer stopped (exit code ${code}).`)));
  return w;
}

/** Writes `chunks` as the whole of `file` (created or truncated). */
export function writeSmallFile(file: string, chunks: Buffer[]): Promise<void> {
  // One copy into memory of our own (not the shared pool), which then moves to the worker as it is.
  const body = Buffer.allocUnsafeSlow(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) at += c.copy(body, at);
  const data = body.buffer as ArrayBuffer;
  return new Promise((resolve, reject) => {
    const id = nextId++;
    jobs.set(id, { resolve, reject });
    if (!worker) worker = start();
    worker.ref();
    // Writes requested in the same turn of the event loop go over as one message.
    if (queue.push({ id, file, data }) === 1)
      setImmediate(() => {
        const batch = queue;
        queue = [];
        if (batch.length)
          worker?.postMessage(
            batch,
            batch.map((j) => j.data),
          );
      });
  });
}
