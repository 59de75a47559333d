// Several files of a job written into its folder on a node by one command: the round trips of a
// submit are what a short job waits for, so a node gets all its files (and the head its driver
// start) in one exec.
import { jobDir } from './scripts';

export interface JobFile {
  name: string;
  body: string;
  /** Written with umask 077 (the env file: secrets). */
  secret?: boolean;
}

/**
 * The command and its stdin: the files' bodies one after another, each read back with `head -c` of
 * its byte length (GNU head reads no further than that from a pipe). Each file is written to a
 * temporary name and renamed, so a reader (queue, a follow) never sees half of one.
 */
export function writeJobFilesCommand(
  jobId: number,
  files: JobFile[],
  then?: string,
): { command: string; stdin: Buffer } {
  const d = jobDir(jobId);
  const lines = [`mkdir -p ${d} && cd ${d} || exit 1`];
  for (const f of files) {
    const n = Buffer.byteLength(f.body);
    const write = `head -c ${n} > ${f.name}.tmp && mv ${f.name}.tmp ${f.name}`;
    lines.push(`${f.secret ? `(umask 077; ${write})` : write} || exit 1`);
  }
  if (then) lines.push(then);
  return { command: lines.join('\n'), stdin: Buffer.concat(files.map((f) => Buffer.from(f.body))) };
}
