/** Appends `value` to the list under `key`, in place: copying the list per item makes a grouping quadratic. */
export function appendTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list === undefined) groups.set(key, [value]);
  else list.push(value);
}
