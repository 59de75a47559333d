import * as fs from 'fs';

/**
 * Command lines of this machine's processes that contain `tag`. The sandbox's nodes run in network
 * namespaces but share this machine's process table, so a test sees what a job left running there.
 */
export function processesWith(tag: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(tag)) found.push(`${pid}: ${cmd}`);
    } catch {
      /* gone */
    }
  }
  return found;
}
