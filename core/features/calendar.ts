import { FeatureError } from './errors.js';

const DAY_MS = 86_400_000;
const DAYS_PER_WEEK = 7;

/** The calendar features of one instant, all read in UTC so a server's time zone never changes them. */
export interface CalendarFeatures {
  /** Monday = 0 ... Sunday = 6. */
  readonly dayOfWeek: number;
  /** 1-31. */
  readonly dayOfMonth: number;
  /** ISO-8601 week, 1-53. */
  readonly weekOfYear: number;
  /** 1-12. */
  readonly monthOfYear: number;
}

function utcDate(ms: number): Date {
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) {
    throw new FeatureError(`Timestamp ${ms} is not a time in ms since the Unix epoch`);
  }
  return date;
}

// JavaScript counts from Sunday = 0; the trained models saw pandas' dayofweek, which counts from Monday = 0.
function mondayFirst(date: Date): number {
  return (date.getUTCDay() + 6) % DAYS_PER_WEEK;
}

function isoWeek(date: Date, dayOfWeek: number): number {
  // A week belongs to the year of its Thursday, and week 1 is the week of that year's first
  // Thursday: so counting whole weeks from 1 January to this week's Thursday gives the ISO week.
  const thursday = Math.floor(date.getTime() / DAY_MS) - dayOfWeek + 3;
  const thursdayDate = new Date(thursday * DAY_MS);
  // setUTCFullYear, not Date.UTC, because Date.UTC maps years 0-99 to 1900-1999.
  const firstOfYear = new Date(0);
  firstOfYear.setUTCFullYear(thursdayDate.getUTCFullYear(), 0, 1);
  return Math.floor((thursday - firstOfYear.getTime() / DAY_MS) / DAYS_PER_WEEK) + 1;
}

/** Monday = 0 ... Sunday = 6, in UTC. */
export function dayOfWeek(ms: number): number {
  return mondayFirst(utcDate(ms));
}

/** 1-31, in UTC. */
export function dayOfMonth(ms: number): number {
  return utcDate(ms).getUTCDate();
}

/** ISO-8601 week number, 1-53, in UTC: 1 January 2021 is in week 53 (of 2020), 31 December 2024 in week 1. */
export function weekOfYear(ms: number): number {
  const date = utcDate(ms);
  return isoWeek(date, mondayFirst(date));
}

/** 1-12, in UTC. */
export function monthOfYear(ms: number): number {
  return utcDate(ms).getUTCMonth() + 1;
}

/** All four calendar features of one instant, reading the date once. */
export function calendarFeatures(ms: number): CalendarFeatures {
  const date = utcDate(ms);
  const dow = mondayFirst(date);
  return {
    dayOfWeek: dow,
    dayOfMonth: date.getUTCDate(),
    weekOfYear: isoWeek(date, dow),
    monthOfYear: date.getUTCMonth() + 1,
  };
}
