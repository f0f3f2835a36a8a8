// French formats: dates typed as jj/mm/aaaa, instants shown in Paris time, waits, NIR, phones.

/**
 * Parses a birth date typed as jj/mm/aaaa (also accepts -, ., spaces or no separator: 18121962).
 * @returns {{ iso: string } | { error: "REQUIRED" | "FORMAT" | "NOT_A_DATE" }}
 */
export function parseFrenchDate(text) {
  const value = (text || "").trim();
  if (!value) return { error: "REQUIRED" };
  let match = value.match(/^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$/);
  if (!match) match = value.match(/^(\d{2})(\d{2})(\d{4})$/);
  if (!match) return { error: "FORMAT" };
  const [day, month, year] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1000 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { error: "NOT_A_DATE" };
  }
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return { iso: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
}

const PARIS = "Europe/Paris";
const LONG_DATE_TIME = new Intl.DateTimeFormat("fr-FR", {
  weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: PARIS,
});
const LONG_DATE = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: PARIS });

/** "mardi 12 mai 2020 à 14:05" (Paris time) from an RFC 3339 instant; "" if unreadable. */
export function frenchDateTime(instant) {
  const date = instant instanceof Date ? instant : new Date(instant);
  return Number.isNaN(date.getTime()) ? "" : LONG_DATE_TIME.format(date);
}

/** "12 mai 2020" from an RFC 3339 instant. */
export function frenchDate(instant) {
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? "" : LONG_DATE.format(date);
}

/** A wait of `seconds`, in words: "environ 24 heures", "5 minutes", "quelques secondes". */
export function durationInWords(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return "quelques secondes";
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} minute${minutes > 1 ? "s" : ""}`;
  const hours = Math.round(minutes / 60);
  return `environ ${hours} heure${hours > 1 ? "s" : ""}`;
}

/** "Vous pourrez réessayer dans environ 24 heures, à partir du mardi 12 mai 2020 à 14:05." */
export function retrySentence(retryAfterSeconds) {
  const seconds = Number(retryAfterSeconds);
  if (!Number.isFinite(seconds) || seconds <= 0) return "Réessayez plus tard.";
  if (seconds < 120) return `Vous pourrez réessayer dans ${durationInWords(seconds)}.`;
  const when = frenchDateTime(new Date(Date.now() + seconds * 1000));
  return `Vous pourrez réessayer dans ${durationInWords(seconds)}, à partir du ${when}.`;
}

/** "1 62 12 2B 010 001" from a NIR typed in any way (13 or 15 characters); other input unchanged. */
export function formatNir(text) {
  const compact = (text || "").replace(/[\s.\-]/g, "").toUpperCase();
  if (compact.length !== 13 && compact.length !== 15) return text;
  const parts = [compact.slice(0, 1), compact.slice(1, 3), compact.slice(3, 5), compact.slice(5, 7),
    compact.slice(7, 10), compact.slice(10, 13), compact.slice(13)];
  return parts.filter(Boolean).join(" ");
}

/** "p***@example.fr": the first character of the address, then ***, then the domain. */
export function maskEmail(address) {
  const at = (address || "").lastIndexOf("@");
  if (at < 1) return "***";
  return `${address[0]}***${address.slice(at)}`;
}

/** "06 •• •• •• 78" from an E.164 French number (+33612345678); the middle is hidden. */
export function maskPhone(e164) {
  const digits = (e164 || "").replace(/\D/g, "");
  let national = digits;
  if (digits.startsWith("33") && digits.length === 11) national = `0${digits.slice(2)}`;
  else if (digits.length > 10 && (e164 || "").startsWith("+")) national = `0${digits.slice(-9)}`;
  if (national.length !== 10) return "•• •• •• •• ••";
  return `${national.slice(0, 2)} •• •• •• ${national.slice(8)}`;
}
