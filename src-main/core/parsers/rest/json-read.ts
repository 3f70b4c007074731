import { msToMicros, type EpochMicros } from '../../common/time.js';

/** Narrowing readers for REST JSON: a field of the wrong type reads as absent, never as 0. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(o: JsonObject, key: string): JsonObject | undefined {
  const value = o[key];
  return isObject(value) ? value : undefined;
}

export function arrayAt(o: JsonObject, key: string): unknown[] | undefined {
  const value = o[key];
  return Array.isArray(value) ? value : undefined;
}

export function numberAt(o: JsonObject | undefined, key: string): number | undefined {
  const value = o?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Counts, sizes and durations, where Flink writes -1 for "unknown". Rounded: they land in INTEGER columns. */
export function knownAt(o: JsonObject | undefined, key: string): number | undefined {
  const value = numberAt(o, key);
  return value === undefined || value < 0 ? undefined : Math.round(value);
}

/** Epoch-ms timestamps → incident axis; -1 and 0 mean "not reached". */
export function timeAt(o: JsonObject | undefined, key: string): EpochMicros | undefined {
  const value = numberAt(o, key);
  return value === undefined || value <= 0 ? undefined : msToMicros(value);
}

export function stringAt(o: JsonObject | undefined, key: string): string | undefined {
  const value = o?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function booleanAt(o: JsonObject | undefined, key: string): boolean | undefined {
  const value = o?.[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** The polymorphic type tag: `@class` up to 1.14, `className` from 1.15 (FLINK-25808). */
export function discriminator(o: JsonObject): string | undefined {
  return stringAt(o, 'className') ?? stringAt(o, '@class');
}
