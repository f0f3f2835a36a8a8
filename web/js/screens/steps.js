// The common steps of both options: terms (Étape 1 sur 3), code personnel (Étape 2 sur 3), email and
// phones (Étape 3 sur 3), then "Consultez votre messagerie".
import { api, fieldErrors } from "../api.js";
import { h } from "../dom.js";
import { STEP_PATHS, START_PATH, advance, problemText, resumeSignup, signupPath, signupProblemRedirect } from "../flow.js";
import { frenchDateTime } from "../format.js";
import { comeBack, leaveFor } from "../router.js";
import { correction, finished, lastLink, liveCorrection, logoutState, memory, signup } from "../store.js";
import {
  YES_NO, alert, button, buttons, disclosure, emailPair, formErrors, heading, linkButton, onCompleteSubmit, page,
  passwordField, radioGroup, requiredNotice, showAlert, stepper, textField, whileBusy,
} from "../ui.js";

const STEP_TITLES = {
  terms: "J'accepte les conditions d'utilisation",
  password: "Je choisis un code personnel",
  contact: "Informations personnelles",
};

/** Shared answer to a problem of a step: redirect when it is a session/step problem, else an alert. */
function stepProblem(ctx, slot, problem) {
  const redirect = signupProblemRedirect(problem);
  if (redirect) ctx.navigate(redirect.to, redirect.options);
  else showAlert(slot, { title: problem.title, text: problemText(problem) });
}

async function cancelSignup(ctx, current) {
  await api("DELETE", signupPath(current), { token: current.token });
  signup.clear();
  ctx.navigate("/", {
    flash: { type: "info", text: "Votre demande de création de compte a été annulée. Aucun compte n'a été créé." },
  });
}

// -- Étape 1 : conditions d'utilisation ---------------------------------------------------------------

export const terms = {
  title: STEP_TITLES.terms,
  async render(ctx) {
    const current = await resumeSignup(ctx, "terms");
    if (!current) return null;
    const slot = h("div", {});
    // The answer that led here (the proof's, or GET /v1/signups/{id} after a reload or FranceConnect's
    // return) gave the terms in force; GET /v1/terms only for an answer without them (its GET failed).
    const loaded = current.terms ? { ok: true, data: current.terms } : await api("GET", "/terms");
    let version = loaded.ok ? loaded.data.version : "";
    const fullText = h("div", { class: "terms-text" });
    const fillTerms = (data) => fullText.replaceChildren(
      h("h2", { class: "fr-h5" }, data.title),
      ...data.text.split(/\n\s*\n/).filter((p) => p.trim()).map((p) => h("p", {}, p.trim())),
      h("p", { class: "fr-text--sm" }, `Version ${data.version}`));
    if (loaded.ok) fillTerms(loaded.data);
    else fullText.append(alert({ type: "error", text: "Le texte détaillé n'a pas pu être chargé. Rechargez la page." }));

    const answer = radioGroup({
      name: "terms_answer", legend: "Acceptez-vous les conditions d'utilisation ?",
      options: [{ value: "accept", label: "Oui, j'accepte" }, { value: "refuse", label: "Non, je refuse" }],
    });
    const errors = formErrors(slot, [answer]);
    const form = h("form", { novalidate: true }, answer.node,
      buttons(
        button("Annuler", { primary: false, onClick: () => cancelSignup(ctx, current) }),
        button("Continuer", { type: "submit" })));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const choice = answer.value();
        if (!choice) {
          errors.show([{ field: "terms_answer", message: "Indiquez si vous acceptez les conditions d'utilisation." }]);
          return;
        }
        errors.clear();
        const accepted = choice === "accept";
        const result = await api("POST", signupPath(current, "/terms"), { token: current.token, body: { accepted, version } });
        if (result.ok) {
          if (result.data.status === "cancelled") {
            signup.clear();
            ctx.navigate("/creer-mon-compte/abandon", { replace: true });
          } else {
            advance(ctx, current, result.data, { fallback: STEP_PATHS.password });
          }
          return;
        }
        if (result.problem.code === "TERMS_VERSION_OUTDATED") {
          const fresh = await api("GET", "/terms");
          if (fresh.ok) {
            version = fresh.data.version;
            fillTerms(fresh.data);
          }
          showAlert(slot, { type: "warning", title: result.problem.title, text: result.problem.detail });
          return;
        }
        stepProblem(ctx, slot, result.problem);
      });
    });

    return page(
      stepper({ current: 1, title: STEP_TITLES.terms, next: STEP_TITLES.password }),
      slot,
      h("p", { class: "fr-text--bold" },
        "Pour accéder aux services de votre compte, vous devez d'abord accepter les conditions d'utilisation :"),
      h("p", {}, "En adhérant au compte ameli, vous acceptez de ne plus recevoir vos relevés de prestations par ",
        "courrier postal au profit d'une consultation en ligne."),
      h("p", {}, "La saisie d'une adresse email est obligatoire pour bénéficier des services du compte. En renseignant ",
        "et confirmant votre email, vous acceptez de recevoir dans la messagerie du compte, tout ou partie des ",
        "courriers et messages de l'Assurance Maladie."),
      disclosure("Pour plus d'informations, consultez les conditions d'utilisation détaillées", fullText),
      requiredNotice(),
      form);
  },
};

export const abandoned = {
  title: "Votre compte n'a pas été créé",
  render() {
    return page(
      heading("Votre compte n'a pas été créé"),
      h("p", {}, "Vous avez refusé les conditions d'utilisation : le compte ameli ne peut pas être créé sans les accepter."),
      h("p", {}, "Vous pouvez recommencer quand vous le souhaitez."),
      buttons(linkButton("Retour à l'accueil", "/", { primary: false }), linkButton("Recommencer", START_PATH)));
  },
};

// -- Étape 2 : code personnel -------------------------------------------------------------------------

const RULES = [
  { key: "length", codes: ["TOO_SHORT", "TOO_LONG"], text: "comporter entre 8 et 50 caractères" },
  { key: "case", codes: ["MISSING_LOWERCASE", "MISSING_UPPERCASE"],
    text: "contenir des caractères latins minuscules et majuscules" },
  { key: "digit", codes: ["MISSING_DIGIT_OR_SPECIAL"], text: "contenir un chiffre ou un caractère spécial" },
  { key: "allowed", codes: ["FORBIDDEN_CHARACTER"], text: "ne contenir que des caractères autorisés" },
  { key: "personal", codes: ["CONTAINS_NIR", "CONTAINS_BIRTH_DATE"],
    text: "ne pas contenir votre n° de sécurité sociale, votre date de naissance ou une partie de celle-ci" },
  { key: "strength", codes: ["TOO_WEAK"],
    text: "être assez difficile à deviner (niveau indicatif de sécurité « moyen » au moins)" },
];

const STRENGTH_LABELS = ["très faible", "faible", "moyen", "bon", "très bon"];
const CHECK_DELAY_MS = 400;

/** The characters of `value` the rules refuse (anything but A-Z a-z 0-9 and the 32 ASCII punctuation marks). */
export function forbiddenCharacters(value) {
  const found = [];
  for (const char of Array.from(value)) {
    const code = char.codePointAt(0);
    if (code >= 33 && code <= 126) continue;
    const name = char === " " ? "espace" : (code < 32 || code === 127 || /\s/.test(char) ? "caractère invisible" : char);
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

const quoted = (names) => names.map((name) => `« ${name} »`).join(", ");

/** Why the code is refused, in words, one reason per violation code (the offending characters named). */
function refusalReasons(violations, value) {
  const reasons = [];
  const length = Array.from(value).length;
  for (const code of violations) {
    switch (code) {
      case "TOO_SHORT": reasons.push(`il faut au moins 8 caractères (${length} saisi${length > 1 ? "s" : ""})`); break;
      case "TOO_LONG": reasons.push(`50 caractères au plus (${length} saisis)`); break;
      case "MISSING_LOWERCASE": reasons.push("il manque une lettre minuscule sans accent (a à z)"); break;
      case "MISSING_UPPERCASE": reasons.push("il manque une lettre majuscule sans accent (A à Z)"); break;
      case "MISSING_DIGIT_OR_SPECIAL": reasons.push("il manque un chiffre ou un caractère spécial"); break;
      case "FORBIDDEN_CHARACTER": {
        const names = forbiddenCharacters(value);
        reasons.push(names.length > 1 ? `les caractères ${quoted(names)} ne sont pas autorisés`
          : `le caractère ${quoted(names.length ? names : ["?"])} n'est pas autorisé`);
        break;
      }
      case "CONTAINS_NIR": reasons.push("il contient une partie de votre n° de sécurité sociale"); break;
      case "CONTAINS_BIRTH_DATE": reasons.push("il contient votre date de naissance ou une partie de celle-ci"); break;
      case "TOO_WEAK": reasons.push("il est trop facile à deviner"); break;
      default: break;
    }
  }
  return reasons;
}

function rulesList() {
  const items = new Map();
  const list = h("ul", { class: "password-rules fr-mb-2w", id: "regles-code" },
    ...RULES.map((rule) => {
      const state = h("span", { class: "fr-sr-only rule-state" }, "");
      const detail = h("span", { class: "rule-detail" }, "");
      const item = h("li", { class: "fr-message fr-message--info", "data-rule": rule.key, "data-state": "unknown" },
        h("span", {}, rule.text), detail, state);
      items.set(rule.key, { item, state, detail });
      return item;
    }));
  function update(violations, value = "") {
    let met = 0;
    for (const rule of RULES) {
      const { item, state, detail } = items.get(rule.key);
      item.classList.remove("fr-message--info", "fr-message--valid", "fr-message--error");
      detail.textContent = "";
      if (violations === null) {
        item.classList.add("fr-message--info");
        item.dataset.state = "unknown";
        state.textContent = "";
        continue;
      }
      const failing = violations.filter((code) => rule.codes.includes(code));
      const ok = failing.length === 0;
      if (ok) met += 1;
      else detail.textContent = `\u00a0: ${refusalReasons(failing, value).join(" ; ")}`;
      item.classList.add(ok ? "fr-message--valid" : "fr-message--error");
      item.dataset.state = ok ? "met" : "unmet";
      state.textContent = ok ? " : règle respectée" : " : règle non respectée";
    }
    return met;
  }
  return { node: list, update };
}

/**
 * "Niveau indicatif de sécurité": while any rule fails, red and "refusé" with the reasons (never a
 * good-looking level for a code the API would refuse); otherwise the strength 0-4 in words.
 */
function strengthMeter() {
  const value = h("span", { class: "strength-value" }, "non évalué");
  const reasons = h("p", { class: "strength-reasons fr-message fr-message--error fr-mb-1w", hidden: true });
  const bar = h("div", { class: "strength-bar", "data-strength": "none", "aria-hidden": "true" },
    h("span", {}), h("span", {}), h("span", {}), h("span", {}));
  const node = h("div", { class: "strength fr-mb-3w", id: "niveau-securite" },
    h("p", { class: "fr-mb-1w" }, h("strong", {}, "Niveau indicatif de sécurité : "), value), bar, reasons);
  function update(strength, violations = [], typed = "") {
    reasons.hidden = true;
    reasons.textContent = "";
    if (strength === null) {
      value.textContent = "non évalué";
      bar.dataset.strength = "none";
      return "non évalué";
    }
    if (violations.length) {
      const why = refusalReasons(violations, typed);
      value.textContent = "refusé";
      bar.dataset.strength = "refused";
      reasons.textContent = `Code refusé : ${why.join(" ; ")}.`;
      reasons.hidden = false;
      return `refusé. ${reasons.textContent}`;
    }
    const label = `${STRENGTH_LABELS[strength]} (${strength} sur 4)`;
    value.textContent = label;
    bar.dataset.strength = String(strength);
    return label;
  }
  return { node, update };
}

export const password = {
  title: STEP_TITLES.password,
  async render(ctx) {
    const current = await resumeSignup(ctx, "password");
    if (!current) return null;
    const slot = h("div", {});
    const rules = rulesList();
    const meter = strengthMeter();
    const live = h("p", { class: "fr-sr-only", "aria-live": "polite", id: "annonce-regles" });
    const code = passwordField({
      name: "password", label: "Mon nouveau code", autocomplete: "new-password",
      describedBy: ["regles-code-titre", "regles-code", "niveau-securite"],
    });
    const confirmation = passwordField({
      name: "password_confirmation", label: "Confirmer mon nouveau code", autocomplete: "new-password",
    });
    const errors = formErrors(slot, [code, confirmation]);

    let timer = null;
    let sequence = 0;
    let lastAnnounce = "";
    async function check() {
      const value = code.value();
      const ticket = ++sequence;
      if (!value) {
        rules.update(null);
        meter.update(null);
        return;
      }
      const answer = await api("POST", signupPath(current, "/password/check"), { token: current.token, body: { password: value } });
      if (ticket !== sequence) return; // an older answer arriving after a newer one
      if (!answer.ok) {
        const redirect = signupProblemRedirect(answer.problem);
        if (redirect) ctx.navigate(redirect.to, redirect.options);
        return;
      }
      const violations = answer.data.violations || [];
      const met = rules.update(violations, value);
      const level = meter.update(answer.data.strength, violations, value);
      const sentence = `${met} règle${met > 1 ? "s" : ""} respectée${met > 1 ? "s" : ""} sur ${RULES.length}. `
        + `Niveau indicatif de sécurité : ${level}.`;
      if (sentence !== lastAnnounce) {
        lastAnnounce = sentence;
        live.textContent = sentence;
      }
    }
    code.input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, CHECK_DELAY_MS);
    });

    const form = h("form", { novalidate: true },
      code.node, meter.node, confirmation.node, live,
      buttons(
        button("Annuler", { primary: false, onClick: () => cancelSignup(ctx, current) }),
        button("Continuer", { type: "submit" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const problems = [];
        if (!code.value()) problems.push({ field: "password", message: "Saisissez votre nouveau code personnel." });
        if (!confirmation.value()) {
          problems.push({ field: "password_confirmation", message: "Saisissez de nouveau votre code personnel pour le confirmer." });
        } else if (code.value() && confirmation.value() !== code.value()) {
          problems.push({ field: "password_confirmation", message: "Les deux codes personnels saisis ne sont pas identiques." });
        }
        if (problems.length) {
          errors.show(problems);
          return;
        }
        errors.clear();
        const answer = await api("POST", signupPath(current, "/password"), {
          token: current.token, body: { password: code.value(), password_confirmation: confirmation.value() },
        });
        if (answer.ok) {
          advance(ctx, current, answer.data, { fallback: STEP_PATHS.contact });
          return;
        }
        if (fieldErrors(answer.problem).length) {
          errors.show(fieldErrors(answer.problem));
          check();
        } else {
          stepProblem(ctx, slot, answer.problem);
        }
      });
    });

    return page(
      stepper({ current: 2, title: STEP_TITLES.password, next: STEP_TITLES.contact }),
      slot,
      h("div", { class: "fr-callout fr-mb-3w" },
        h("p", { class: "fr-callout__text fr-text--md" }, "Pour maintenir la confidentialité de vos informations, nous vous ",
          "recommandons de ne pas choisir un code que vous utilisez déjà sur un autre site.")),
      h("p", { class: "fr-mb-1w", id: "regles-code-titre" }, "Votre code personnel doit :"),
      rules.node,
      disclosure("Quels sont les caractères latins et les caractères spéciaux ?",
        h("p", {}, h("strong", {}, "Caractères latins"), " : les lettres de a à z et de A à Z, sans accent ",
          "(é, è, ç… ne sont pas acceptés)."),
        h("p", {}, h("strong", {}, "Caractères spéciaux"), " acceptés : ",
          h("span", { class: "special-chars" }, "! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \\ ] ^ _ ` { | } ~")),
        h("p", { class: "fr-mb-0" }, "Les espaces ne sont pas acceptés.")),
      requiredNotice(),
      form);
  },
};

// -- Étape 3 : email et téléphones --------------------------------------------------------------------

function consentFieldset(legend, groups) {
  return h("fieldset", { class: "fr-fieldset consent-group" },
    h("legend", { class: "fr-fieldset__legend fr-fieldset__legend--regular" }, legend),
    ...groups.map((group) => h("div", { class: "fr-fieldset__element" }, group.node)));
}

export const contact = {
  title: STEP_TITLES.contact,
  async render(ctx) {
    const current = await resumeSignup(ctx, "contact");
    if (!current) return null;
    const slot = h("div", {});
    const address = emailPair({ value: current.emailSuggestion || "" });
    const emailConsent = radioGroup({
      name: "email_marketing_consent",
      legend: "J'autorise l'Assurance Maladie à m'envoyer par email des informations promotionnelles sur ses services :",
      options: YES_NO,
    });
    const mobile = textField({
      name: "mobile_phone", label: "Saisissez votre n° de téléphone portable", type: "tel", required: false,
      hint: "Facultatif. Exemple : 06 12 34 56 78. Avec un numéro, vous pourrez dire si vous acceptez des informations promotionnelles.",
      attrs: { autocomplete: "mobile tel-national", inputmode: "tel" },
    });
    const mobileCall = radioGroup({ name: "mobile_marketing_call_consent", legend: "Par téléphone :", options: YES_NO, required: false, checked: "false" });
    const mobileSms = radioGroup({ name: "mobile_marketing_sms_consent", legend: "Par SMS :", options: YES_NO, required: false, checked: "false" });
    const landline = textField({
      name: "landline_phone", label: "Saisissez votre n° de téléphone fixe", type: "tel", required: false,
      hint: "Facultatif. Exemple : 01 23 45 67 89", attrs: { autocomplete: "home tel-national", inputmode: "tel" },
    });
    const landlineCall = radioGroup({ name: "landline_marketing_call_consent", legend: "Par téléphone :", options: YES_NO, required: false, checked: "false" });
    const fields = [...address.fields, emailConsent, mobile, mobileCall, mobileSms, landline, landlineCall];
    const errors = formErrors(slot, fields);
    const promo = "J'autorise l'Assurance Maladie à me communiquer des informations promotionnelles sur ses services";

    // A consent about a phone means something only with a number: its questions appear once one is
    // typed (and go back to "Non" when it is erased), so the number stays optional for real.
    const mobileConsents = consentFieldset(`${promo}, sur mon téléphone portable :`, [mobileCall, mobileSms]);
    const landlineConsents = consentFieldset(`${promo}, sur mon téléphone fixe :`, [landlineCall]);
    const follow = (field, consents, groups) => {
      const update = () => {
        const empty = !field.value().trim();
        consents.hidden = empty;
        if (empty) for (const group of groups) group.radios.find((radio) => radio.value === "false").checked = true;
      };
      field.input.addEventListener("input", update);
      update();
    };
    follow(mobile, mobileConsents, [mobileCall, mobileSms]);
    follow(landline, landlineConsents, [landlineCall]);

    const form = h("form", { novalidate: true },
      h("h2", { class: "fr-h4" }, "Je saisis mon adresse email"),
      requiredNotice(),
      ...address.nodes, emailConsent.node,
      h("h2", { class: "fr-h4 fr-mt-5w" }, "Je saisis mes coordonnées téléphoniques"),
      h("p", {}, "Ces informations sont facultatives."),
      mobile.node,
      mobileConsents,
      landline.node,
      landlineConsents,
      buttons(
        button("Annuler", { primary: false, onClick: () => cancelSignup(ctx, current) }),
        button("Valider", { type: "submit" })));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const problems = address.missing();
        if (emailConsent.value() === null) {
          problems.push({ field: "email_marketing_consent", message: "Répondez Oui ou Non à cette question." });
        }
        if (problems.length) {
          errors.show(problems);
          return;
        }
        errors.clear();
        const body = {
          ...address.body(),
          email_marketing_consent: emailConsent.value() === "true",
          mobile_phone: mobile.value().trim() || null,
          mobile_marketing_call_consent: mobileCall.value() === "true",
          mobile_marketing_sms_consent: mobileSms.value() === "true",
          landline_phone: landline.value().trim() || null,
          landline_marketing_call_consent: landlineCall.value() === "true",
        };
        const answer = await api("POST", signupPath(current, "/contact"), { token: current.token, body });
        if (answer.ok) {
          signup.clear(); // the signup token is dead now: the person is logged out
          finished.set({ at: Date.now() }); // Back on a step page now leads to "check your mailbox"
          lastLink.set({ email_masked: answer.data.email_masked, link_expires_at: answer.data.link_expires_at });
          if (answer.data.correction_token) {
            correction.set({ token: answer.data.correction_token, expires_at: answer.data.correction_expires_at,
              email: answer.data.email });
          } else {
            correction.clear();
          }
          if (answer.data.franceconnect_logout_url) {
            // End the FranceConnect session too; FranceConnect comes back to the "check your mailbox" page
            // with the logout's `state`, kept here to check that return (checkMailbox).
            logoutState.set({ state: new URL(answer.data.franceconnect_logout_url).searchParams.get("state") });
            leaveFor(answer.data.franceconnect_logout_url);
            return;
          }
          ctx.navigate(STEP_PATHS.done, { replace: true });
          return;
        }
        const { problem } = answer;
        if (problem.code === "EMAIL_ALREADY_USED") {
          errors.show([{ field: "email", message: problem.detail }]);
        } else if (fieldErrors(problem).length) {
          errors.show(fieldErrors(problem));
        } else {
          stepProblem(ctx, slot, problem);
        }
      });
    });

    return page(
      stepper({ current: 3, title: STEP_TITLES.contact }),
      slot,
      h("div", { class: "fr-callout fr-mb-3w" },
        h("p", { class: "fr-callout__text fr-text--md" },
          "Votre adresse email doit être la vôtre : elle ne peut pas servir pour un autre compte ameli, même celui ",
          "d'un membre de votre famille. Choisissez une adresse que vous consultez facilement : vous y serez prévenu ",
          "de chaque nouveau document disponible dans votre compte, qui ne vous sera plus envoyé par courrier.")),
      form);
  },
};

// -- Fin : consultez votre messagerie -----------------------------------------------------------------

/**
 * FranceConnect's logout comes back here with `?state=`: true (or the reason kept with it) when it is the
 * state this tab sent (single use), false for any other; null when the page was not opened by such a return.
 */
function franceconnectLogoutReturn() {
  const returned = new URLSearchParams(window.location.search).get("state");
  if (returned === null) return null;
  const kept = logoutState.get();
  logoutState.clear();
  window.history.replaceState({}, "", STEP_PATHS.done); // nothing from FranceConnect stays in the address bar
  if (!(kept && kept.state) || kept.state !== returned) return false;
  return kept.reason || true;
}

// The logout asked by "Ce n'est pas moi" on the FranceConnect return screen (screens/franceconnect.js),
// which FranceConnect also sends back here: that screen says what happened.
const FRANCECONNECT_RETURN = "/franceconnect/retour";
const IDENTITY_REFUSED = "IDENTITY_REFUSED";

export const checkMailbox = {
  title: "Consultez votre messagerie",
  render(ctx) {
    const logout = franceconnectLogoutReturn();
    if (logout === IDENTITY_REFUSED) {
      if (comeBack(FRANCECONNECT_RETURN, { error: IDENTITY_REFUSED })) {
        return page(heading("Retour de FranceConnect"), h("p", {}, "Chargement…"));
      }
      memory.franceconnectError = IDENTITY_REFUSED;
      ctx.redirect(FRANCECONNECT_RETURN);
      return null;
    }
    if (logout === false) {
      ctx.setTitle("Retour de FranceConnect");
      return page(
        heading("Retour de FranceConnect"),
        alert({ type: "warning", title: "Ce retour de FranceConnect n'a pas été demandé depuis cette page",
          text: "Par précaution, fermez votre navigateur pour terminer votre session FranceConnect. Si vous venez de "
            + "créer votre compte, l'email qui permet de l'activer vous attend dans votre messagerie." }),
        buttons(linkButton("Retour à l'accueil", "/", { primary: false }), linkButton("Se connecter", "/connexion")));
    }
    if (comeBack(STEP_PATHS.done)) return page(heading("Consultez votre messagerie"), h("p", {}, "Chargement…"));
    const sent = lastLink.get();
    const until = sent ? frenchDateTime(sent.link_expires_at) : "";
    const right = liveCorrection();
    // While the address can still be corrected, it is shown in full, to be reread (GOV.UK's "check answers").
    const address = right
      ? [h("p", { class: "fr-mb-1w" }, "Nous venons de vous envoyer un email à l'adresse :"),
        h("p", { class: "email-address fr-text--lg" }, h("strong", {}, right.email))]
      : [h("p", {}, sent
        ? ["Nous venons de vous envoyer un email à l'adresse ", h("strong", { class: "email-masked" }, sent.email_masked), "."]
        : "Nous venons de vous envoyer un email.")];
    const correct = right
      ? h("div", { class: "fr-callout fr-mb-3w" },
        h("p", { class: "fr-callout__title" }, "Une erreur dans l'adresse ?"),
        h("p", { class: "fr-callout__text fr-text--md" }, "Corrigez-la maintenant, sans tout recommencer : un nouveau ",
          "lien partira à la bonne adresse, et le lien déjà envoyé ne fonctionnera plus."),
        h("p", { class: "fr-mt-2w fr-mb-0" }, linkButton("Modifier l'adresse", CORRECTION_PATH, { primary: false })))
      : null;
    return page(
      heading("Consultez votre messagerie"),
      ctx.takeFlash(),
      h("div", { class: "fr-alert fr-alert--success fr-mb-3w" },
        h("p", { class: "fr-alert__title" }, "Votre compte ameli est créé"),
        h("p", {}, "Vous avez été déconnecté. Il reste à activer votre compte.")),
      ...address,
      h("p", {}, "Ouvrez-le et cliquez sur le lien qu'il contient : votre compte sera alors activé, et utilisable sur ",
        "le site comme dans l'application ameli."),
      until ? h("p", {}, h("strong", {}, `Ce lien est valable jusqu'au ${until}.`)) : null,
      correct,
      h("div", { class: "fr-callout fr-mb-3w" },
        h("p", { class: "fr-callout__title" }, "Vous n'avez pas reçu l'email ?"),
        h("p", { class: "fr-callout__text fr-text--md" }, "Vérifiez votre dossier de courriers indésirables (spam). ",
          "Vous pouvez aussi vous connecter avec votre numéro de sécurité sociale et votre code personnel ",
          "pour recevoir un nouveau lien.")),
      buttons(linkButton("Retour à l'accueil", "/", { primary: false }), linkButton("Se connecter", "/connexion")));
  },
};

// -- Corriger l'adresse tant que le lien n'a pas servi (le droit de correction de l'étape contact) -----------

export const CORRECTION_PATH = "/creer-mon-compte/modifier-adresse";

export const correctAddress = {
  title: "Modifier mon adresse email",
  render(ctx) {
    const right = liveCorrection();
    if (!right) {
      ctx.redirect(STEP_PATHS.done);
      return null;
    }
    const slot = h("div", {});
    const address = emailPair({ value: right.email });
    const errors = formErrors(slot, address.fields);
    const form = h("form", { novalidate: true }, requiredNotice(), ...address.nodes,
      buttons(linkButton("Retour", STEP_PATHS.done, { primary: false }),
        button("Envoyer le lien à cette adresse", { type: "submit" })));
    onCompleteSubmit(form, errors, address.missing, async () => {
      const body = address.body();
      const answer = await api("POST", "/account/email", { token: right.token, body });
      if (answer.ok) {
        correction.set({ ...right, email: body.email });
        lastLink.set({ email_masked: answer.data.email_masked, link_expires_at: answer.data.link_expires_at });
        ctx.navigate(STEP_PATHS.done, {
          replace: true,
          flash: { type: "success", text: "Un nouveau lien vous a été envoyé à cette adresse. Le lien précédent ne fonctionne plus." },
        });
        return;
      }
      const { problem } = answer;
      if (answer.status === 401 || problem.code === "ACCOUNT_ALREADY_ACTIVE") {
        correction.clear();
        ctx.navigate(answer.status === 401 ? "/connexion" : STEP_PATHS.done, {
          flash: answer.status === 401
            ? { type: "warning", text: "Le délai pour corriger l'adresse est dépassé. Connectez-vous avec votre "
              + "numéro de sécurité sociale et votre code personnel pour recevoir le lien à une autre adresse." }
            : { type: "info", text: problem.detail },
        });
      } else if (problem.code === "EMAIL_ALREADY_USED") {
        errors.show([{ field: "email", message: problem.detail }]);
      } else if (fieldErrors(problem).length) {
        errors.show(fieldErrors(problem));
      } else {
        showAlert(slot, { title: problem.title, text: problemText(problem) });
      }
    });
    return page(
      heading("Modifier mon adresse email"),
      slot,
      h("p", {}, "Corrigez l'adresse, puis confirmez-la. Le lien d'activation partira à cette adresse, qui remplacera ",
        "la précédente ; le lien déjà envoyé ne fonctionnera plus."),
      h("p", {}, "Cette adresse doit être la vôtre : elle ne peut pas servir pour un autre compte ameli."),
      form);
  },
};
