import * as assert from 'assert';
import { getLanguageService } from 'yaml-language-server';
import { TextDocument } from 'vscode-languageserver-textdocument';
import taskSchema from '../../../../schemas/task.schema.json';

/** The schema is also served by Red Hat YAML: check it behaves there as in our validator. */
describe('task schema in yaml-language-server', function () {
  this.timeout(20000);
  const ls = getLanguageService({
    schemaRequestService: () => Promise.reject(new Error('no remote schemas')),
    workspaceContext: { resolveRelativePath: (rel) => rel },
  });
  ls.configure({
    validate: true,
    completion: true,
    schemas: [{ uri: 'file:///task.schema.json', fileMatch: ['*.yaml'], schema: taskSchema as never }],
  });
  let n = 0;
  const doc = (text: string) => TextDocument.create(`file:///t${n++}.yaml`, 'yaml', 1, text);

  it('accepts case-insensitive enums in any case and rejects other values', async () => {
    assert.deepStrictEqual(
      await ls.doValidation(
        doc('file_mounts:\n  /d: {name: b, mode: Mount_Cached, store: S3}\nresources: {cloud: AWS}\n'),
        false,
      ),
      [],
    );
    assert.strictEqual(
      (await ls.doValidation(doc('file_mounts:\n  /d: {name: b, mode: bogus}\n'), false)).length,
      1,
    );
    assert.strictEqual((await ls.doValidation(doc('rnu: x\n'), false)).length, 1);
  });

  it('completes canonical enum values and top-level keys', async () => {
    const c = await ls.doComplete(
      doc('file_mounts:\n  /d:\n    name: b\n    mode: \n'),
      { line: 3, character: 10 },
      false,
    );
    assert.deepStrictEqual(
      c.items.map((i) => i.label),
      ['MOUNT', 'COPY', 'MOUNT_CACHED'],
    );
    const top = await ls.doComplete(doc('name: x\n\n'), { line: 1, character: 0 }, false);
    const labels = top.items.map((i) => i.label);
    for (const k of ['resources', 'file_mounts', 'run', 'setup', 'envs']) assert.ok(labels.includes(k), k);
  });
});
