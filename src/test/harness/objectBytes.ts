// An object's whole content, read through the engine's store: what tests compare byte for byte.
import type { Store } from '../../engine/storage';

export async function readAll(store: Store, bucket: string, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.openRead(bucket, key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
