// The other tools the benchmarks measure against, set up the same way everywhere: rclone against
// the sandbox's Ceph RGW, and yaml-language-server's language service with our schema.
import { getLanguageService } from 'yaml-language-server';
import taskSchema from '../schemas/task.schema.json';

/** rclone's `rgw:` remote from the environment (no config file), for the sandbox's RGW. */
export function rgwRcloneEnv(s3: {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_RGW_TYPE: 's3',
    RCLONE_CONFIG_RGW_PROVIDER: 'Ceph',
    RCLONE_CONFIG_RGW_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_RGW_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_RGW_REGION: s3.region,
  };
  // AWS_CA_BUNDLE breaks rclone's S3 backend.
  delete env.AWS_CA_BUNDLE;
  return env;
}

/** yaml-language-server's language service (what Red Hat YAML runs) validating with our schema. */
export function yamlLanguageService() {
  const ls = getLanguageService({
    schemaRequestService: () => Promise.reject(new Error('no remote schemas in the benchmark')),
    workspaceContext: { resolveRelativePath: (rel, res) => new URL(rel, res).toString() },
  });
  ls.configure({
    validate: true,
    completion: false,
    hover: false,
    schemas: [
      {
        uri: 'file:///schemas/task.schema.json',
        fileMatch: ['*.yaml', '*.yml'],
        schema: taskSchema as never,
      },
    ],
  });
  return ls;
}
