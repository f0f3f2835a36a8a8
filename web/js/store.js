// What the client keeps between screens. sessionStorage only (this tab, gone when it closes):
// never localStorage, never cookies, never the URL. Personal data (the identity typed on the first
// form) stays in memory only and is lost on reload, by design.

const PREFIX = "ameli.";
const fallback = new Map(); // when sessionStorage is unavailable (some private modes)

function read(key) {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + key);
    return raw === null ? null : JSON.parse(raw);
  } catch {
    return fallback.has(key) ? fallback.get(key) : null;
  }
}

function write(key, value) {
  try {
    if (value === null) window.sessionStorage.removeItem(PREFIX + key);
    else window.sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    if (value === null) fallback.delete(key);
    else fallback.set(key, value);
  }
}

function slot(key) {
  return { get: () => read(key), set: (value) => write(key, value), clear: () => write(key, null) };
}

/** The signup in progress: `{ id, token, method, proof: { iban_masked, carte_vitale_serial_prefix } }`. */
export const signup = slot("signup");
/** The confirmation token read from the link's fragment: `{ token }`. */
export const confirmation = slot("confirmation");
/** A login that found a pending account: `{ token, code, email_masked }` (the `pending_token`). */
export const pending = slot("pending");
/** An open session: `{ token, expires_at }`. */
export const session = slot("session");
/** The last link sent: `{ email_masked, link_expires_at }`, shown on the "check your mailbox" pages. */
export const lastLink = slot("lastLink");
/**
 * The right to correct the address just given, from the contact step's answer: `{ token, expires_at, email }`.
 * The full address is the person's own, kept in this tab only while the right lasts (30 minutes), so the end
 * screen can show it to be reread, also after the FranceConnect logout's round trip.
 */
export const correction = slot("correction");

/** The correction right if it is still valid, else null (and forgotten). */
export function liveCorrection() {
  const current = correction.get();
  if (current && Date.parse(current.expires_at) > Date.now()) return current;
  if (current) correction.clear();
  return null;
}

/** This tab finished a signup (the contact step answered): its step pages lead to "check your mailbox". */
export const finished = slot("finished");
/** A trip to another site (FranceConnect) to keep out of the back history: `{ length, stage, resume }`. */
export const away = slot("away");
/** The `state` of the FranceConnect logout this tab opened, checked when FranceConnect sends it back: `{ state }`. */
export const logoutState = slot("franceconnectLogoutState");

/** In memory only (lost on reload): the identity typed on the first form, one-shot messages. */
export const memory = {
  identity: null, // { last_name, nir, birth_date_text, postal_code }
  flash: null, // { type: "info" | "success" | "warning" | "error", title?, text }
  refusal: null, // the problem body of a refusal, for the refusal screen
  franceconnectError: null,
  emailSuggestion: null, // { id, email }: FranceConnect's address for the signup `id`, to prefill the contact step
};
