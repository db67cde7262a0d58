/** protoc's json_name: underscores removed, the letter after each one upper-cased. */
export function jsonName(fieldName: string): string {
  let out = '';
  let upper = false;
  for (const c of fieldName) {
    if (c === '_') upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

/** protoc's name for a map field's entry type: `stats_by_id` -> `StatsByIdEntry`. */
export function mapEntryName(fieldName: string): string {
  const camel = jsonName(fieldName);
  return camel.charAt(0).toUpperCase() + camel.slice(1) + 'Entry';
}
