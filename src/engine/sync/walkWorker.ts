// Runs walkLocalTree on a worker thread (see walkInBackground in prewalk.ts): the walk is synchronous
// file-system work, and on the main thread it would hold up the SSH handshake it can overlap with.
import { parentPort, workerData } from 'worker_threads';
import { SkyError } from '../util/errors';
import { walkLocalTree } from './localTree';

const { root, excludeGit } = workerData as { root: string; excludeGit?: boolean };
try {
  parentPort!.postMessage({ tree: walkLocalTree(root, { excludeGit }) });
} catch (err) {
  const e = err as Error & { code?: string; hint?: string };
  parentPort!.postMessage({
    error: { message: e.message, code: e.code, hint: e.hint, sky: err instanceof SkyError },
  });
}
