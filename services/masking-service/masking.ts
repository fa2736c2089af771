/**
 * Finding and masking personal data in a document's text: e-mail addresses,
 * phone numbers and Korean resident registration numbers (RRN).
 *
 * Masking replaces characters with `*` one for one, so the text keeps its
 * length and layout: an e-mail keeps its `@` and domain (`*****@example.com`),
 * a phone number and an RRN keep their separators, `+` and parentheses and
 * lose every digit (`***-****-****`, `******-*******`).
 *
 * What is found (all patterns are bounded and anchored with look-behinds, so
 * a 256 KiB document is scanned in linear time):
 * - e-mail: a local part of 1–64 of `A-Z a-z 0-9 . _ % + -`, `@`, a domain of
 *   dot-separated labels (letters, digits, inner hyphens) ending in a
 *   2–63-letter top-level label;
 * - phone: Korean numbers — mobile 010/011/016/017/018/019, Seoul 02, the
 *   area codes 031–064 and 070 — as `0AA-NNN(N)-NNNN` with `-`, `.`, a space
 *   or nothing between the groups, the area code optionally in parentheses;
 *   the same after `+82` (with or without `(0)`); and any E.164 number
 *   (`+` and 7–15 digits, no separators). Not inside a longer word or number;
 * - RRN: `YYMMDD-GNNNNNC` or the same 13 digits without the hyphen, not
 *   inside a longer word or number, and only when it can be one: G is 1–8
 *   (1, 2, 5, 6: born in the 1900s; 3, 4, 7, 8: 2000s; 5–8: foreign
 *   residents), YYMMDD is a real date not after today, and the check digit C
 *   holds — weights 2,3,4,5,6,7,8,9,2,3,4,5 over the first twelve digits,
 *   C = (11 − sum mod 11) mod 10 for citizens, (13 − sum mod 11) mod 10 for
 *   foreign residents. Numbers issued since October 2020 end in random
 *   digits, so for birth dates from 2020-10-01 on the check digit is not
 *   required (the date and G still are). Random 13-digit numbers therefore
 *   pass only about one time in ten (checksum) of the few that look like a
 *   date with a valid G.
 * Where two findings overlap, the one starting first wins (then: e-mail,
 * RRN, phone), so digits inside an e-mail address are never a phone number.
 */

export type PersonalDataKind = 'email' | 'phone' | 'nationalId';

export interface Finding {
  readonly kind: PersonalDataKind;
  readonly start: number;
  readonly end: number;
}

export type MaskCounts = Record<PersonalDataKind, number>;

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,63}(?![A-Za-z0-9-])/g;

const KR_PREFIX = '(?:1[016789]|2|[3-6][1-5]|70)';
const SEP = '[-. ]?';
const KR_LOCAL = `${SEP}\\d{3,4}${SEP}\\d{4}`;
const PHONE_FORMS = [
  `\\+82${SEP}(?:\\(0\\)${SEP})?${KR_PREFIX}${KR_LOCAL}`,
  `\\(0${KR_PREFIX}\\) ?\\d{3,4}${SEP}\\d{4}`,
  `0${KR_PREFIX}${KR_LOCAL}`,
  '\\+[1-9]\\d{6,14}',
];
const PHONE = new RegExp(`(?<![\\w+(])(?:${PHONE_FORMS.join('|')})(?!\\w)`, 'g');

const NATIONAL_ID = /(?<![\w-])(\d{2})(\d{2})(\d{2})-?([1-8])(\d{5})(\d)(?![\w-])/g;

const RRN_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
/** Numbers issued from this day on have no check digit (the October 2020 reform). */
const RANDOM_DIGITS_FROM = Date.UTC(2020, 9, 1);

function realDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Whether 13 digits (hyphen removed) can be a resident registration number, as the module comment says. */
export function isResidentRegistrationNumber(digits: string, today = Date.now()): boolean {
  if (!/^\d{13}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  const g = d[6]!;
  if (g < 1 || g > 8) return false;
  const year = (g === 3 || g === 4 || g === 7 || g === 8 ? 2000 : 1900) + d[0]! * 10 + d[1]!;
  const month = d[2]! * 10 + d[3]!;
  const day = d[4]! * 10 + d[5]!;
  if (!realDay(year, month, day)) return false;
  const born = Date.UTC(year, month - 1, day);
  if (born > today) return false;
  if (born >= RANDOM_DIGITS_FROM) return true;
  const sum = RRN_WEIGHTS.reduce((s, w, i) => s + w * d[i]!, 0);
  const check = ((g >= 5 ? 13 : 11) - (sum % 11)) % 10;
  return check === d[12];
}

/** Every e-mail address, phone number and RRN in `text`, in order, without overlaps. */
export function findPersonalData(text: string, today = Date.now()): Finding[] {
  const found: Finding[] = [];
  for (const m of text.matchAll(EMAIL))
    found.push({ kind: 'email', start: m.index, end: m.index + m[0].length });
  for (const m of text.matchAll(NATIONAL_ID)) {
    if (isResidentRegistrationNumber(m[0].replace('-', ''), today)) {
      found.push({ kind: 'nationalId', start: m.index, end: m.index + m[0].length });
    }
  }
  for (const m of text.matchAll(PHONE))
    found.push({ kind: 'phone', start: m.index, end: m.index + m[0].length });
  const priority: Record<PersonalDataKind, number> = { email: 0, nationalId: 1, phone: 2 };
  found.sort((a, b) => a.start - b.start || priority[a.kind] - priority[b.kind]);
  const kept: Finding[] = [];
  let end = 0;
  for (const f of found) {
    if (f.start < end) continue;
    kept.push(f);
    end = f.end;
  }
  return kept;
}

function maskFinding(part: string, kind: PersonalDataKind): string {
  if (kind === 'email') {
    const at = part.lastIndexOf('@');
    return '*'.repeat(at) + part.slice(at);
  }
  return part.replace(/\d/g, '*');
}

/** `text` with the findings of `kinds` masked, and how many of each were masked. */
export function maskText(
  text: string,
  kinds: ReadonlySet<PersonalDataKind>,
  today = Date.now(),
): { masked: string; counts: MaskCounts } {
  const counts: MaskCounts = { email: 0, phone: 0, nationalId: 0 };
  if (kinds.size === 0) return { masked: text, counts };
  let masked = '';
  let at = 0;
  for (const f of findPersonalData(text, today)) {
    if (!kinds.has(f.kind)) continue;
    masked += text.slice(at, f.start) + maskFinding(text.slice(f.start, f.end), f.kind);
    at = f.end;
    counts[f.kind]++;
  }
  return { masked: masked + text.slice(at), counts };
}
