import type { Coverage } from '@medplum/fhirtypes';
import { addDays, daysBetween, maxDate, minDate } from '../util/dates.js';

/** The populations a member belongs to, by their medical Coverage (dental only without one). */
export const BOOKS = ['commercial', 'medicare', 'medicaid', 'dental'] as const;
export type Book = (typeof BOOKS)[number];

/** A member's Coverage reduced to what the report needs: its book and period (ISO dates, open ends allowed). */
export interface CoverageSpan {
  book: Book;
  start?: string;
  end?: string;
}

/** Whole calendar months, first to last day inclusive (ISO dates). */
export interface Window {
  start: string;
  end: string;
}

const SOPT = 'urn:oid:2.16.840.1.113883.3.221.5';

/**
 * The book a Coverage stands for: Source of Payment Typology codes (1… Medicare, 2… Medicaid, other
 * codes commercial) when present; else "Medicare", "Medicaid" or "CHIP" in a plan or group name; else
 * v3 ActCode `DENTAL` → dental, `PUBLICPOL` → Medicaid; anything else commercial.
 */
export function coverageBook(coverage: Coverage): Book {
  const codings = coverage.type?.coding ?? [];
  const sopt = codings.find((c) => c.system === SOPT && c.code)?.code;
  if (sopt?.startsWith('1')) return 'medicare';
  if (sopt?.startsWith('2')) return 'medicaid';
  const names = (coverage.class ?? []).map((c) => `${c.name ?? ''} ${c.value ?? ''}`).join(' ');
  const dental = codings.some((c) => c.code === 'DENTAL');
  if (!dental && /\bmedicare\b/i.test(names)) return 'medicare';
  if (!dental && /\b(medicaid|chip)\b/i.test(names)) return 'medicaid';
  if (dental) return 'dental';
  if (sopt) return 'commercial';
  if (codings.some((c) => c.code === 'PUBLICPOL')) return 'medicaid';
  return 'commercial';
}

/** The window: from the first day of the earliest service month to the last day of the latest. */
export function windowOf(earliest: string, latest: string): Window {
  const [y, m] = latest.split('-').map(Number) as [number, number];
  const nextMonth = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { start: `${earliest.slice(0, 7)}-01`, end: addDays(nextMonth, -1) };
}

/** Days (both ends counted) of the union of the spans inside the window. */
export function coveredDays(spans: readonly { start?: string; end?: string }[], window: Window): number {
  const clipped = spans
    .map((s) => ({ start: maxDate(s.start ?? window.start, window.start), end: minDate(s.end ?? window.end, window.end) }))
    .filter((s) => s.start <= s.end)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let days = 0;
  let cursor: string | undefined; // last day already counted
  for (const s of clipped) {
    const from = cursor && cursor >= s.start ? addDays(cursor, 1) : s.start;
    if (from > s.end) continue;
    days += daysBetween(from, s.end) + 1;
    cursor = s.end;
  }
  return days;
}

/**
 * The member's book: the medical book whose spans overlap the window most (ties: the first in BOOKS
 * order); dental when the member has only dental coverage; undefined without coverage.
 */
export function memberBook(spans: readonly CoverageSpan[], window: Window): Book | undefined {
  let best: { book: Book; days: number } | undefined;
  for (const book of BOOKS) {
    if (book === 'dental') continue;
    const mine = spans.filter((s) => s.book === book);
    if (!mine.length) continue;
    const days = coveredDays(mine, window);
    if (!best || days > best.days) best = { book, days };
  }
  if (best) return best.book;
  return spans.some((s) => s.book === 'dental') ? 'dental' : undefined;
}
