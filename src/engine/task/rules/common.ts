import { toPointer } from '../diagnostic';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function ptr(...segments: Array<string | number>): string {
  return toPointer(segments);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
