/**
 * A field name as a refusal may show it: the name is the caller's own text, so one that is long or
 * not a plain identifier is quoted and cut, and a sentence never carries a megabyte or a control
 * character.
 */
const PLAIN = /^[A-Za-z0-9_.[\]-]{1,80}$/;
const MAX_SHOWN = 80;

export function shownName(name: string): string {
  if (PLAIN.test(name)) return name;
  const cut = name.length > MAX_SHOWN ? `${name.slice(0, MAX_SHOWN)}…` : name;
  return JSON.stringify(cut);
}
