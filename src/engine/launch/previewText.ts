// A launch preview as Markdown a person reads: printed by `launch --dry-run`, opened by Sky: Preview
// Launch. Every excluded path, every --delete path and every bucket action is listed; the paths to
// send are listed up to LIST_LIMIT per target (the counts are always whole).
import * as path from 'path';
import { formatBytes } from '../util/progress';
import type { BucketAction, BucketPreview, LaunchPreview, NodeSyncPreview, SyncPreview } from './preview';

export const LIST_LIMIT = 50;

/**
 * A path as a Markdown code span: control characters shown escaped (one line stays one line), and a
 * fence longer than any run of backticks in the name, so the name is shown exactly.
 */
function code(s: string): string {
  const safe = [...s].map((c) => (c < ' ' ? JSON.stringify(c).slice(1, -1) : c)).join('');
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest && (safe.startsWith('`') || safe.endsWith('`')) ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;

function sendLines(nodes: NodeSyncPreview[]): string[] {
  const same = nodes.every(
    (n) =>
      n.paths.join('\0') === nodes[0].paths.join('\0') && n.delete.join('\0') === nodes[0].delete.join('\0'),
  );
  const groups = same
    ? [{ label: `each node (${nodes.map((n) => n.node).join(', ')})`, n: nodes[0] }]
    : nodes.map((n) => ({ label: n.node, n }));
  const out: string[] = [];
  for (const { label, n } of groups) {
    out.push(
      `- To send to ${label}: ${files(n.files)}, ${formatBytes(n.bytes)}${n.paths.length ? ':' : ' (up to date)'}`,
    );
    for (const p of n.paths.slice(0, LIST_LIMIT)) out.push(`  - ${code(p)}`);
    if (n.paths.length > LIST_LIMIT) out.push(`  - … and ${n.paths.length - LIST_LIMIT} more`);
    if (n.delete.length) {
      out.push(`- --delete would remove on ${label} (${n.delete.length}):`);
      for (const p of n.delete) out.push(`  - ${code(p)}`);
    }
  }
  return out;
}

function syncSection(s: SyncPreview, p: LaunchPreview): string[] {
  const title = s.what === 'workdir' ? 'Workdir' : 'File mount';
  const out = [`## ${title} ${code(s.source)} → ${code(s.target)}`, ''];
  if (s.rules)
    out.push(
      `- Rules: ${s.rules === 'skyignore' ? '`.skyignore` (any `.gitignore` is ignored)' : '`.gitignore` files and `.git/info/exclude`'}`,
    );
  out.push(`- Local, after exclusions: ${files(s.local.files)}, ${formatBytes(s.local.bytes)}`);
  if (p.compared) out.push(...sendLines(s.nodes));
  else
    out.push(
      `- To send to each node: everything local (${files(s.local.files)}, ${formatBytes(s.local.bytes)}), not compared`,
    );
  if (p.delete && !p.compared) out.push('- --delete: not known without comparing with the nodes');
  if (s.excluded.length) {
    out.push(`- Excluded (${s.excluded.length}):`);
    for (const x of s.excluded)
      out.push(
        `  - ${code(x.path)} by ${code(x.pattern)} in ${x.line !== undefined ? `${x.file}:${x.line}` : x.file}`,
      );
  } else if (!s.isFile) out.push('- Excluded: nothing');
  return [...out, ''];
}

function actionLine(a: BucketAction, b: BucketPreview): string {
  const name = b.bucket ? code(b.bucket) : 'the bucket';
  const store = b.store ? ` (${b.store})` : '';
  switch (a.action) {
    case 'create':
      return `- Create ${name}${store}${a.ifMissing ? ' if it does not exist' : ''}`;
    case 'upload':
      return a.compared
        ? `- Upload ${files(a.files)}, ${formatBytes(a.bytes)} (${a.localFiles - a.files} of ${a.localFiles} unchanged)`
        : `- Upload up to ${files(a.files)}, ${formatBytes(a.bytes)} (changed files only; not compared)`;
    case 'attach':
      return `- Attach ${name}${store} with mode ${a.mode}${a.readOnly ? ', read-only' : ''} on ${a.nodes === 1 ? 'the node' : `each of the ${a.nodes} nodes`}`;
    case 'fail':
      return `- **Launch would stop here:** ${a.reason}`;
  }
}

function bucketSection(b: BucketPreview): string[] {
  const out = [`## Bucket mount ${code(b.dst)}`, '', b.summary, ''];
  out.push(...b.actions.map((a) => actionLine(a, b)));
  if (b.notCompared) out.push(`- Not compared with the bucket: ${b.notCompared}`);
  if (b.excluded.length) {
    out.push(`- Not uploaded (${b.excluded.length}):`);
    for (const x of b.excluded)
      out.push(
        `  - ${code(x.path)} by ${code(x.pattern)} in ${x.line !== undefined ? `${x.file}:${x.line}` : x.file}`,
      );
  }
  return [...out, '', ...b.details.map((d) => `> ${d}`), ''];
}

export function renderPreview(p: LaunchPreview): string {
  const out = [
    `# Dry run: ${p.kind} ${path.basename(p.taskFile)} on ${p.cluster} (${p.nodes.join(', ')})`,
    '',
    p.compared
      ? 'Compared with the nodes as a re-sync compares (size, mode, mtime). Nothing was changed.'
      : `Not compared with the nodes (${p.notCompared}): every local file counts as to be sent. Nothing was changed.`,
    '',
  ];
  for (const s of p.syncs) out.push(...syncSection(s, p));
  for (const b of p.buckets) out.push(...bucketSection(b));
  out.push('## Steps', '');
  p.steps.forEach((s, i) => out.push(`${i + 1}. ${s.phase}: ${s.detail} [${s.nodes.join(', ')}]`));
  return `${out.join('\n')}\n`;
}
