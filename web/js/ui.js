// The DSFR components the screens are made of, built with `h` (no HTML strings), and the handling
// of errors next to their fields (fr-input-group--error, fr-error-text, aria-invalid,
// aria-describedby) with a summary that receives focus when several fields are wrong.
import { h, toggleToken, uid } from "./dom.js";
import { leaveFor } from "./router.js";

export const REQUIRED_MARK = () => h("span", { class: "required-mark", "aria-hidden": "true" }, " *");

/** The screen's title, focused on navigation. */
export function heading(text, attrs = {}) {
  return h("h1", { tabindex: "-1", ...attrs }, text);
}

/** "* champ obligatoire", as on the guide's screens. */
export function requiredNotice() {
  return h("p", { class: "fr-text--sm fr-mb-3w" }, "* champ obligatoire");
}

/** The page's column: centered, narrower on large screens. */
export function page(...children) {
  return h("div", { class: "fr-grid-row fr-grid-row--center" },
    h("div", { class: "fr-col-12 fr-col-md-10 fr-col-lg-8" }, ...children));
}

/** DSFR stepper whose title is the page's h1: "Étape 2 sur 3". */
export function stepper({ current, total = 3, title, next }) {
  return h("div", { class: "fr-stepper" },
    h("h1", { class: "fr-stepper__title", tabindex: "-1" }, title,
      h("span", { class: "fr-stepper__state" }, `Étape ${current} sur ${total}`)),
    h("div", { class: "fr-stepper__steps", "data-fr-current-step": String(current), "data-fr-steps": String(total) }),
    next ? h("p", { class: "fr-stepper__details" }, h("span", { class: "fr-text--bold" }, "Étape suivante : "), next) : null);
}

/**
 * DSFR alert. `role="alert"` when `announce` (errors that arrive after an action); focusable so the
 * screen can move focus to it.
 */
export function alert({ type = "info", title, text, children = [], announce = false, small = false }) {
  const classes = ["fr-alert", `fr-alert--${type}`, "fr-mb-3w"];
  if (small) classes.push("fr-alert--sm");
  return h("div", { class: classes.join(" "), role: announce ? "alert" : null, tabindex: "-1" },
    title ? h("p", { class: "fr-alert__title" }, title) : null,
    text ? h("p", {}, text) : null,
    ...children);
}

/** Primary and secondary buttons side by side from the md breakpoint, stacked on phones. */
export function buttons(...items) {
  return h("ul", { class: "fr-btns-group fr-btns-group--inline-md fr-btns-group--right fr-btns-group--icon-left fr-mt-4w" },
    ...items.filter(Boolean).map((item) => h("li", {}, item)));
}

export function button(label, { primary = true, type = "button", onClick, icon, attrs = {} } = {}) {
  const classes = ["fr-btn"];
  if (!primary) classes.push("fr-btn--secondary");
  if (icon) classes.push(icon, "fr-btn--icon-left");
  return h("button", { class: classes.join(" "), type, on: onClick ? { click: onClick } : undefined, ...attrs }, label);
}

/** A link that looks like a button (navigation inside the client). */
export function linkButton(label, href, { primary = true, icon } = {}) {
  const classes = ["fr-btn"];
  if (!primary) classes.push("fr-btn--secondary");
  if (icon) classes.push(icon, "fr-btn--icon-left");
  return h("a", { class: classes.join(" "), href }, label);
}

export function backLink(href, label = "Retour") {
  return h("p", { class: "fr-mb-3w" },
    h("a", { class: "fr-link fr-icon-arrow-left-line fr-link--icon-left", href }, label));
}

/**
 * A help that opens below its "?" button (toggletip): works with a mouse, a finger, the keyboard
 * and screen readers (aria-expanded, aria-controls). Returns { toggle, panel }.
 */
export function helpToggle(label, ...content) {
  const panelId = uid("aide");
  const panel = h("div", { class: "help-panel fr-mb-2w", id: panelId, hidden: true }, ...content);
  const toggle = h("button", {
    type: "button",
    class: "fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-question-line help-toggle",
    "aria-expanded": "false",
    "aria-controls": panelId,
    title: `Aide : ${label}`,
    on: {
      click: () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        panel.hidden = !open;
      },
    },
  }, h("span", { class: "fr-sr-only" }, `Aide : ${label}`));
  return { toggle, panel };
}

/** A button that shows or hides a block of text below it (aria-expanded). */
export function disclosure(label, ...content) {
  const panelId = uid("details");
  const panel = h("div", { class: "disclosure-panel fr-mt-2w", id: panelId, hidden: true }, ...content);
  const toggle = h("button", {
    type: "button",
    class: "fr-link disclosure-toggle",
    "aria-expanded": "false",
    "aria-controls": panelId,
    on: {
      click: () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        panel.hidden = !open;
      },
    },
  }, label);
  return h("div", { class: "disclosure fr-mb-3w" }, toggle, panel);
}

// -- fields -----------------------------------------------------------------------------------------

function fieldError(group, control, errorId, message) {
  const old = group.querySelector(`#${CSS.escape(errorId)}`);
  if (old) old.remove();
  group.classList.toggle("fr-input-group--error", Boolean(message));
  control.classList.toggle("fr-input--error", Boolean(message));
  if (message) {
    control.setAttribute("aria-invalid", "true");
    const error = h("p", { class: "fr-error-text", id: errorId }, message);
    (control.closest(".proof-row") || control).insertAdjacentElement("afterend", error);
    toggleToken(control, "aria-describedby", errorId, true);
  } else {
    control.removeAttribute("aria-invalid");
    toggleToken(control, "aria-describedby", errorId, false);
  }
}

/**
 * A DSFR text input with its label, hint, optional "?" help and error.
 * @returns {{ node, input, name, value: () => string, setError: (msg|null) => void, focus: () => void }}
 */
export function textField({ name, label, hint, help, required = true, type = "text", value = "", attrs = {} }) {
  const id = uid(name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h("input", {
    class: "fr-input", id, name, type, value: value || null, required, "aria-required": required ? "true" : null,
    spellcheck: "false", ...attrs,
  });
  const labelNode = h("label", { class: "fr-label", for: id }, label, required ? REQUIRED_MARK() : null,
    hint ? h("span", { class: "fr-hint-text", id: hintId }, hint) : null);
  let labelRow = labelNode;
  let helpPanel = null;
  if (help) {
    const toggle = helpToggle(help.label || label, ...help.content);
    labelRow = h("div", { class: "label-row" }, labelNode, toggle.toggle);
    helpPanel = toggle.panel;
  }
  const group = h("div", { class: "fr-input-group" }, labelRow, helpPanel, input);
  return {
    node: group,
    input,
    name,
    value: () => input.value,
    setError: (message) => fieldError(group, input, errorId, message),
    focus: () => input.focus(),
  };
}

const EMAIL_ATTRS = { autocomplete: "email", inputmode: "email", autocapitalize: "off" };

/**
 * An email address typed twice (GOV.UK's "confirm an email address"): the two fields, named `name` and
 * `name_confirmation` as in the API's bodies; `missing()` lists what is empty, `body()` the trimmed values.
 */
export function emailPair({
  name = "email", value = "", label = "Saisissez votre adresse email", confirmationLabel = "Je confirme mon adresse email",
  missingMessage = "Saisissez votre adresse email.",
  missingConfirmationMessage = "Saisissez de nouveau votre adresse email pour la confirmer.",
} = {}) {
  const confirmationName = `${name}_confirmation`;
  const email = textField({ name, label, type: "email", hint: "Format attendu : nom@domaine.fr", value, attrs: EMAIL_ATTRS });
  const confirmation = textField({ name: confirmationName, label: confirmationLabel, type: "email", attrs: EMAIL_ATTRS });
  return {
    email,
    confirmation,
    fields: [email, confirmation],
    nodes: [email.node, confirmation.node],
    missing: () => [
      email.value().trim() ? null : { field: name, message: missingMessage },
      confirmation.value().trim() ? null : { field: confirmationName, message: missingConfirmationMessage },
    ].filter(Boolean),
    body: () => ({ [name]: email.value().trim(), [confirmationName]: confirmation.value().trim() }),
  };
}

/**
 * DSFR password input ("fr-password") with its "Afficher" checkbox (handled by the DSFR script).
 * `describedBy`: ids of the rules list / strength meter to read with the field.
 */
export function passwordField({ name, label, autocomplete = "current-password", describedBy = [], hint }) {
  const id = uid(name);
  const errorId = `${id}-error`;
  const showId = `${id}-show`;
  const input = h("input", {
    class: "fr-password__input fr-input", id, name, type: "password", autocomplete, required: true,
    "aria-required": "true", spellcheck: "false", autocapitalize: "off", autocorrect: "off",
    "aria-describedby": describedBy.length ? describedBy.join(" ") : null,
  });
  const wrap = h("div", { class: "fr-input-wrap" }, input);
  const group = h("div", { class: "fr-password fr-input-group", id: `${id}-group` },
    h("label", { class: "fr-label", for: id }, label, REQUIRED_MARK(),
      hint ? h("span", { class: "fr-hint-text" }, hint) : null),
    wrap,
    h("div", { class: "fr-password__checkbox fr-checkbox-group fr-checkbox-group--sm" },
      h("input", { id: showId, type: "checkbox", "aria-label": `Afficher : ${label}` }),
      h("label", { class: "fr-password__checkbox fr-label", for: showId }, "Afficher")));
  const setError = (message) => {
    const old = group.querySelector(`#${CSS.escape(errorId)}`);
    if (old) old.remove();
    group.classList.toggle("fr-input-group--error", Boolean(message));
    input.classList.toggle("fr-input--error", Boolean(message));
    if (message) {
      input.setAttribute("aria-invalid", "true");
      wrap.insertAdjacentElement("afterend", h("p", { class: "fr-error-text", id: errorId }, message));
      toggleToken(input, "aria-describedby", errorId, true);
    } else {
      input.removeAttribute("aria-invalid");
      toggleToken(input, "aria-describedby", errorId, false);
    }
  };
  return { node: group, input, name, value: () => input.value, setError, focus: () => input.focus() };
}

/**
 * A DSFR group of radio buttons (fieldset + legend), inline. `value()` is the chosen value or null.
 * options: [{ value: "true", label: "Oui" }, ...]; `checked`: the value checked at first, if any.
 */
export function radioGroup({ name, legend, options, required = true, checked = null, legendClass = "" }) {
  const id = uid(name);
  const messagesId = `${id}-messages`;
  const legendId = `${id}-legend`;
  const radios = [];
  const fieldset = h("fieldset", { class: "fr-fieldset", id, "aria-labelledby": `${legendId} ${messagesId}` },
    h("legend", { class: `fr-fieldset__legend fr-fieldset__legend--regular ${legendClass}`.trim(), id: legendId },
      legend, required ? REQUIRED_MARK() : null),
    ...options.map((option, index) => {
      const radioId = `${id}-${index}`;
      const radio = h("input", {
        type: "radio", id: radioId, name, value: option.value, checked: checked === option.value,
        required: required && index === 0 ? true : null,
      });
      radios.push(radio);
      return h("div", { class: "fr-fieldset__element fr-fieldset__element--inline" },
        h("div", { class: "fr-radio-group" }, radio, h("label", { class: "fr-label", for: radioId }, option.label)));
    }),
    h("div", { class: "fr-messages-group", id: messagesId, "aria-live": "polite" }));
  const messages = fieldset.querySelector(`#${CSS.escape(messagesId)}`);
  return {
    node: fieldset,
    name,
    radios,
    value: () => (radios.find((radio) => radio.checked) || {}).value ?? null,
    setError: (message) => {
      fieldset.classList.toggle("fr-fieldset--error", Boolean(message));
      messages.replaceChildren(...(message ? [h("p", { class: "fr-message fr-message--error" }, message)] : []));
    },
    focus: () => (radios.find((radio) => radio.checked) || radios[0]).focus(),
  };
}

export const YES_NO = [{ value: "true", label: "Oui" }, { value: "false", label: "Non" }];

// -- errors of a form -------------------------------------------------------------------------------

/**
 * Shows the errors of a form: each next to its field; several: a summary at the top that receives
 * focus (its links move focus to the fields); one: focus on that field; errors of no known field:
 * an alert at the top.
 *   const errors = formErrors(summarySlot, fields);
 *   errors.show([{ field: "nir", message: "..." }]);   errors.clear();
 */
export function formErrors(slot, fields) {
  const byName = new Map(fields.map((field) => [field.name, field]));
  function clear() {
    slot.replaceChildren();
    for (const field of fields) field.setError(null);
  }
  function show(errors, { title } = {}) {
    clear();
    const messages = new Map();
    const general = [];
    for (const error of errors) {
      const field = byName.get(error.field);
      if (!field) {
        general.push(error.message);
        continue;
      }
      messages.set(field, messages.has(field) ? `${messages.get(field)} ${error.message}` : error.message);
    }
    for (const [field, message] of messages) field.setError(message);
    const count = messages.size + general.length;
    if (count === 0) return;
    if (count === 1 && messages.size === 1) {
      const [field] = messages.keys();
      field.focus();
      return;
    }
    const items = [
      ...[...messages].map(([field, message]) => h("li", {},
        h("a", {
          href: `#${field.input ? field.input.id : field.node.id}`,
          on: { click: (event) => { event.preventDefault(); field.focus(); } },
        }, message))),
      ...general.map((message) => h("li", {}, message)),
    ];
    const summary = alert({
      type: "error",
      title: title || (count > 1 ? `Le formulaire contient ${count} erreurs à corriger :` : "Le formulaire contient une erreur :"),
      children: [h("ul", { class: "fr-mb-0" }, ...items)],
      announce: false,
    });
    summary.classList.add("error-summary");
    slot.replaceChildren(summary);
    summary.focus();
  }
  return { show, clear };
}

/** Shows an alert in `slot`, moves focus to it (read by screen readers), returns it. */
export function showAlert(slot, options) {
  const node = alert({ type: "error", announce: true, ...options });
  slot.replaceChildren(node);
  node.focus();
  return node;
}

// -- help -----------------------------------------------------------------------------------------

export const CAISSE_URL = "https://www.ameli.fr/assure/adresses-et-contacts";

/**
 * "Besoin d'aide ?": wherever a person is sent to their caisse. The 36 46 with the mention the
 * regulator requires for a number with a call price ("Service gratuit + prix de l'appel"), its
 * hours, and ameli.fr's page to find one's caisse.
 */
export function needHelp({ headingLevel = "h2", intro } = {}) {
  const titleId = uid("aide-titre");
  return h("section", { class: "need-help fr-callout fr-callout--blue-ecume fr-my-4w", "aria-labelledby": titleId },
    h(headingLevel, { class: "fr-callout__title fr-h5", id: titleId }, "Besoin d'aide ?"),
    h("p", { class: "fr-callout__text fr-text--md" },
      intro || "Un conseiller de l'Assurance Maladie peut vous aider par téléphone ou dans votre caisse."),
    h("p", { class: "fr-text--md fr-mb-1w" },
      "Appelez le ", h("a", { class: "need-help__phone", href: "tel:3646" }, "36 46"),
      " ", h("span", { class: "need-help__price" }, "Service gratuit + prix de l'appel")),
    h("p", { class: "fr-text--sm fr-mb-1w" },
      "Du lundi au vendredi, de 8 h 30 à 17 h 30 (les horaires peuvent varier selon votre caisse). ",
      "Depuis l'étranger : +33 1 84 90 36 46."),
    h("p", { class: "fr-text--md fr-mb-0" },
      h("a", {
        href: CAISSE_URL, target: "_blank", rel: "noopener",
        title: "Trouver ma caisse d'assurance maladie sur ameli.fr - nouvelle fenêtre",
      }, "Trouver ma caisse d'assurance maladie sur ameli.fr")));
}

// -- FranceConnect ----------------------------------------------------------------------------------

/** The official FranceConnect button (DSFR fr-connect) and its "Qu'est-ce que FranceConnect ?" link. */
export function franceConnectButton() {
  const returnTo = `${window.location.origin}/franceconnect/retour`;
  const href = `/v1/franceconnect/login?return_to=${encodeURIComponent(returnTo)}`;
  return h("div", { class: "fr-connect-group" },
    h("a", {
      class: "fr-connect", href, "data-external": "true",
      on: {
        click: (event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          leaveFor(href); // FranceConnect's pages will not stay in the back history
        },
      },
    },
      h("span", { class: "fr-connect__login" }, "S’identifier avec"),
      h("span", { class: "fr-connect__brand" }, "FranceConnect")),
    h("p", {},
      h("a", {
        href: "https://franceconnect.gouv.fr/", target: "_blank", rel: "noopener",
        title: "Qu’est-ce que FranceConnect ? - nouvelle fenêtre",
      }, "Qu’est-ce que FranceConnect ?")));
}

/**
 * On the form's submit: what `missing()` lists (empty fields) is shown next to the fields and nothing is
 * sent; otherwise `send()` runs, once at a time.
 */
export function onCompleteSubmit(form, errors, missing, send) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form, async () => {
      const problems = missing();
      if (problems.length) {
        errors.show(problems);
        return;
      }
      errors.clear();
      await send();
    });
  });
}

/** Prevents double submission while `work` runs; the button says the form is being sent. */
export async function whileBusy(form, work) {
  if (form.dataset.busy === "true") return undefined;
  form.dataset.busy = "true";
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    delete form.dataset.busy;
    form.removeAttribute("aria-busy");
  }
}
