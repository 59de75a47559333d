import type { Sandbox } from '../../sandbox';

/** SkyPilot's other S3-API stores, each pointed at the sandbox's Ceph RGW as R2 and IBM COS are. */
export function s3ApiStoreConfig(sb: Sandbox) {
  const s3 = {
    endpoint: sb.s3!.endpoint,
    region: sb.s3!.region,
    forcePathStyle: true,
    credentialsFile: sb.s3!.credentialsFile,
  };
  return { stores: { nebius: { ...s3 }, coreweave: { ...s3 }, vastdata: { ...s3 } } };
}
