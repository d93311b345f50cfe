// MS-DOS date/time fields of zip headers (2-second resolution, years 1980–2107, no time zone).

/** The default entry date: the earliest DOS date, so archives are byte-for-byte reproducible. */
export const DEFAULT_ZIP_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

export interface DosDateTime {
  /** bits 15–11 hours, 10–5 minutes, 4–0 seconds / 2 */
  time: number;
  /** bits 15–9 years since 1980, 8–5 month (1–12), 4–0 day (1–31) */
  date: number;
}

/**
 * DOS fields for `d`, taken from its UTC components (zip stores no zone; UTC keeps the result
 * independent of the machine's time zone). Dates outside 1980–2107 are clamped.
 */
export function toDosDateTime(d: Date): DosDateTime {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return { time: 0, date: (1 << 5) | 1 };
  let year = d.getUTCFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) {
    year = 2107;
    return { time: (23 << 11) | (59 << 5) | 29, date: ((year - 1980) << 9) | (12 << 5) | 31 };
  }
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** The UTC Date a DOS date/time pair denotes (for tests and listings). */
export function fromDosDateTime(date: number, time: number): Date {
  return new Date(Date.UTC(
    1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31,
    time >> 11, (time >> 5) & 63, (time & 31) * 2,
  ));
}
