/**
 * Whether a JSON text repeats a member name within one object, at any depth. JSON.parse keeps the
 * last of two same-named members and other parsers keep the first, so a document that repeats one
 * means different things to different readers: signed documents that do are refused.
 *
 * Names are compared after unescaping (`"sub"` and `"\u0073ub"` are the same member). The text must
 * be valid JSON (parse it first); this only walks it, in one pass, without building values.
 */
export function hasDuplicateMember(json: string): boolean {
  /** One entry per open container: the names seen so far in an object, null for an array. */
  const open: Array<Set<string> | null> = [];
  let expectName = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const names = open[open.length - 1];
      if (expectName && names) {
        const name = JSON.parse(json.slice(i, end + 1)) as string;
        if (names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      expectName = true;
    } else if (c === '[') {
      open.push(null);
      expectName = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      expectName = false;
    } else if (c === ',') {
      expectName = open[open.length - 1] instanceof Set;
    }
  }
  return false;
}
