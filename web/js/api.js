// The API of the service, same origin, under /v1. Every answer is returned, never thrown:
//   const answer = await api("POST", "/signups", { body: {...} });
//   answer.ok ? answer.data : answer.problem   // problem+json: code, title, detail, errors, ...

export const API_BASE = "/v1";

const NETWORK_PROBLEM = Object.freeze({
  code: "NETWORK_ERROR",
  title: "Service momentanément indisponible",
  detail: "Nous n'avons pas pu joindre le service. Vérifiez votre connexion à Internet, puis réessayez.",
});

const UNEXPECTED_PROBLEM = Object.freeze({
  code: "UNEXPECTED",
  title: "Une erreur inattendue s'est produite",
  detail: "Le service n'a pas pu traiter votre demande. Réessayez dans quelques instants.",
});

/**
 * @param {string} method
 * @param {string} path under /v1, e.g. "/signups"
 * @param {{ body?: object, token?: string }} [options] token: sent as `Authorization: Bearer`
 * @returns {Promise<{ ok: boolean, status: number, data?: any, problem?: any }>}
 */
export async function api(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
    });
  } catch {
    return { ok: false, status: 0, problem: { ...NETWORK_PROBLEM } };
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (response.ok) return { ok: true, status: response.status, data };
  const problem = data && typeof data === "object" && data.code ? data : { ...UNEXPECTED_PROBLEM, status: response.status };
  return { ok: false, status: response.status, problem };
}

/** The field errors of a problem, as `{ field, code, message }` (empty list if none). */
export function fieldErrors(problem) {
  return Array.isArray(problem && problem.errors) ? problem.errors : [];
}
