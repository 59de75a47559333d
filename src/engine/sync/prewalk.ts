// The local side of a sync, read before it is needed: a launch starts walking its workdir and
// folder file_mounts while it connects, on a worker thread, so a re-sync with nothing to send waits
// only for the node's listing. Where no worker can start (its file is missing from a build), the
// walk runs here, when asked for, as before.
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { SkyError } from '../util/errors';
import { type LocalTree, walkLocalTree } from './localTree';

export interface WalkRequest {
  root: string;
  excludeGit?: boolean;
}

type WorkerReply =
  { tree: LocalTree } | { error: { message: string; code?: string; hint?: string; sky: boolean } };

/** Next to this file in the compiled output, and next to the bundle in dist/. */
const WORKER_FILE = path.join(__dirname, 'walkWorker.js');

const walkHere = (req: WalkRequest) => walkLocalTree(req.root, { excludeGit: req.excludeGit });

function onWorker(req: WalkRequest): Promise<LocalTree> | undefined {
  if (!fs.existsSync(WORKER_FILE)) return undefined;
  return new Promise<LocalTree>((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: req });
    let settled = false;
    worker.once('message', (m: WorkerReply) => {
      settled = true;
      if ('tree' in m) resolve(m.tree);
      else if (m.error.sky)
        reject(new SkyError(m.error.code ?? 'sync-walk', m.error.message, { hint: m.error.hint }));
      else reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      void worker.terminate();
    });
    // A worker that cannot start or dies is no reason to fail the sync: walk here instead. (The
    // walk's own errors, e.g. an unreadable .gitignore, arrive as a message above.)
    const fallback = () => {
      if (settled) return;
      settled = true;
      try {
        resolve(walkHere(req));
      } catch (err) {
        reject(err);
      }
    };
    worker.once('error', fallback);
    worker.once('exit', fallback);
  });
}

/** Starts walking `req.root` now; the promise settles with the same tree walkLocalTree returns. */
export function walkInBackground(req: WalkRequest): Promise<LocalTree> {
  let started: Promise<LocalTree> | undefined;
  try {
    started = onWorker(req);
  } catch {
    started = undefined; // no worker threads here (e.g. a locked-down host): walk in-process below
  }
  const walk = started ?? Promise.resolve().then(() => walkHere(req));
  // Awaited by the sync; until then a failure must not be an unhandled rejection.
  walk.catch(() => undefined);
  return walk;
}
