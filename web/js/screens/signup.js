// Option 1, first two screens of the guide: "Je crée mon compte ameli" (identity, or FranceConnect)
// and "Accédez immédiatement à votre compte" (IBAN and Carte Vitale tails); the refusal page.
import { api, fieldErrors } from "../api.js";
import { h } from "../dom.js";
// A data: URI in the bundle (scripts/build.mjs; the CSP allows img-src data:): no request of its own.
import SERIAL_DRAWING from "../../img/carte-vitale-numero-de-serie.svg";
import { STEP_PATHS, START_PATH, advance, problemText, resumeSignup, signupPath, signupProblemRedirect } from "../flow.js";
import { formatNir, parseFrenchDate } from "../format.js";
import { finished, memory, signup } from "../store.js";
import {
  alert, button, buttons, disclosure, formErrors, franceConnectButton, heading, linkButton, needHelp, page,
  requiredNotice, showAlert, textField, whileBusy,
} from "../ui.js";

const DATE_MESSAGES = {
  REQUIRED: "Indiquez votre date de naissance.",
  FORMAT: "Indiquez votre date de naissance au format jj/mm/aaaa, par exemple 14/07/1985.",
  NOT_A_DATE: "Cette date n'existe pas. Vérifiez le jour, le mois et l'année.",
};

export const identity = {
  title: "Je crée mon compte ameli",
  render(ctx) {
    const previous = memory.identity || {};
    const fields = [
      textField({
        name: "last_name", label: "Mon nom", value: previous.last_name,
        attrs: { autocomplete: "family-name", autocapitalize: "characters" },
        help: { label: "Mon nom", content: [h("p", { class: "fr-mb-0" },
          "Vous pouvez indiquer votre nom de naissance ou votre nom d'usage (nom de femme mariée).")] },
      }),
      textField({
        name: "nir", label: "Mon n° de sécurité sociale", value: previous.nir,
        hint: "13 caractères, ou 15 avec la clé",
        attrs: { autocomplete: "off", autocapitalize: "characters" },
        help: { label: "Mon n° de sécurité sociale", content: [
          h("p", {}, "Votre numéro de sécurité sociale figure sur votre carte Vitale et sur votre attestation de droits."),
          h("p", { class: "fr-mb-0" }, "Il comporte 13 caractères (15 avec la clé, les 2 derniers chiffres). ",
            "Vous pouvez le saisir avec ou sans espaces."),
        ] },
      }),
      textField({
        name: "birth_date", label: "Ma date de naissance", value: previous.birth_date_text,
        hint: "Format attendu : jj/mm/aaaa, par exemple 18/12/1962. Sans « / » sur votre clavier, tapez les 8 chiffres : 18121962",
        attrs: { autocomplete: "bday", inputmode: "numeric" },
      }),
      textField({
        name: "postal_code", label: "Mon code postal", value: previous.postal_code, hint: "5 chiffres",
        attrs: { autocomplete: "postal-code", inputmode: "numeric" },
        help: { label: "Mon code postal", content: [h("p", { class: "fr-mb-0" },
          "Le code postal peut correspondre à votre ancienne adresse.")] },
      }),
    ];
    const [lastName, nir, birthDate, postalCode] = fields;
    const summarySlot = h("div", {});
    const errors = formErrors(summarySlot, fields);

    const form = h("form", { novalidate: true, "aria-labelledby": "identite-titre" },
      ...fields.map((field) => field.node),
      buttons(button("Continuer", { type: "submit" })));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const problems = [];
        if (!lastName.value().trim()) problems.push({ field: "last_name", message: "Indiquez votre nom." });
        if (!nir.value().trim()) problems.push({ field: "nir", message: "Indiquez votre numéro de sécurité sociale." });
        const date = parseFrenchDate(birthDate.value());
        if (date.error) problems.push({ field: "birth_date", message: DATE_MESSAGES[date.error] });
        const postal = postalCode.value().replace(/\s/g, "");
        if (!postal) problems.push({ field: "postal_code", message: "Indiquez votre code postal." });
        else if (!/^\d{5}$/.test(postal)) {
          problems.push({ field: "postal_code", message: "Le code postal comporte 5 chiffres, par exemple 63000." });
        }
        if (problems.length) {
          errors.show(problems);
          return;
        }
        errors.clear();
        memory.identity = {
          last_name: lastName.value().trim(), nir: nir.value().trim(), birth_date_text: birthDate.value().trim(),
          postal_code: postal,
        };
        const answer = await api("POST", "/signups", {
          body: { last_name: lastName.value().trim(), nir: nir.value(), birth_date: date.iso, postal_code: postal },
        });
        if (answer.ok) {
          const { signup_id: id, signup_token: token, proof } = answer.data;
          signup.set({ id, token, method: "carte_vitale", proof });
          finished.clear();
          advance(ctx, { id }, answer.data, { fallback: STEP_PATHS.proof });
          return;
        }
        const { problem } = answer;
        if (problem.code === "ONLINE_SIGNUP_UNAVAILABLE") {
          memory.refusal = problem;
          ctx.navigate("/creer-mon-compte/impossible");
        } else if (fieldErrors(problem).length) {
          errors.show(fieldErrors(problem));
        } else {
          showAlert(summarySlot, { title: problem.title, text: problemText(problem) });
        }
      });
    });

    const done = finished.get();
    return page(
      heading("Je crée mon compte ameli"),
      ctx.takeFlash(),
      done ? alert({
        type: "info", title: "Votre compte vient d'être créé",
        text: "Il reste à l'activer : ouvrez l'email que nous vous avons envoyé et cliquez sur le lien qu'il contient.",
        children: [h("p", {}, h("a", { href: STEP_PATHS.done }, "Revoir les instructions"))],
      }) : null,
      h("section", { "aria-labelledby": "identite-titre" },
        h("h2", { id: "identite-titre", class: "fr-h4" }, "Je crée mon compte en remplissant les éléments demandés"),
        beforeYouStart(),
        requiredNotice(),
        summarySlot,
        form),
      h("p", { class: "fr-hr-or fr-my-5w" }, "OU"),
      h("section", { "aria-labelledby": "franceconnect-titre" },
        h("h2", { id: "franceconnect-titre", class: "fr-h4" }, "Je crée immédiatement mon compte via FranceConnect"),
        h("p", {}, "FranceConnect est la solution proposée par l'État pour sécuriser et simplifier la connexion ",
          "à vos services en ligne."),
        franceConnectButton()));
  },
};

/** The IBAN on file without the 7 characters to type, in groups of 4: "FR76 3000 4*** **** ****". */
export function ibanKnownGroups(masked) {
  const compact = (masked || "").replace(/\s/g, "");
  const known = compact.length > 7 ? compact.slice(0, -7) : "";
  return known.match(/.{1,4}/g) || [];
}

/**
 * The guide's row: what the API shows, then the input for what the person types, on one line; on a
 * narrow screen it wraps between groups, and the last group always stays with the input.
 */
function proofRow(field, groups, modifier) {
  const known = groups.slice(0, -1).flatMap((group, i) => [i ? " " : null, h("span", { class: "proof-group" }, group)]);
  const last = groups[groups.length - 1];
  const tail = h("span", { class: "proof-tail" }, last ? h("span", { class: "proof-group", "aria-hidden": "true" }, last) : null);
  const row = h("div", { class: `proof-row proof-row--${modifier}` },
    h("span", { class: "proof-known", "aria-hidden": "true" }, ...known, known.length ? " " : null), tail);
  field.input.replaceWith(row);
  tail.append(field.input);
  return field;
}

function ibanSpoken(groups) {
  const visible = groups.join("").split("*")[0];
  return visible ? `L'IBAN enregistré commence par ${visible.match(/.{1,4}/g).join(" ")}, la suite est masquée.`
    : "L'IBAN enregistré est masqué.";
}

/** Where the serial is printed: a drawing of the card, with the 11 digits to type highlighted. */
function serialDrawing() {
  return h("figure", { class: "serial-drawing fr-mb-3w", role: "group", "aria-labelledby": "dessin-carte-legende" },
    h("img", {
      src: SERIAL_DRAWING, width: "340", height: "214",
      alt: "Dessin du recto d'une carte Vitale avec photo : le numéro de série est imprimé à droite de la photo, "
        + "dans le sens de la hauteur ; ses 11 derniers chiffres sont ceux à saisir.",
    }),
    h("figcaption", { class: "fr-text--sm", id: "dessin-carte-legende" },
      "Le numéro de série de 21 chiffres est imprimé au recto de votre carte Vitale avec photo, juste à droite ",
      "de la photo, dans le sens de la hauteur (tournez la carte pour le lire). ",
      "Les 10 premiers sont affichés ci-dessus : saisissez les 11 suivants."));
}

/** Before the form: what to have at hand, and (folded, not to slow those who can) who cannot sign up online. */
function beforeYouStart() {
  return h("div", { class: "before-start fr-mb-3w" },
    h("div", { class: "fr-callout fr-mb-2w" },
      h("p", { class: "fr-callout__title fr-h6" }, "Avant de commencer, munissez-vous de :"),
      h("ul", { class: "fr-callout__text fr-text--md fr-mb-0" },
        h("li", {}, "votre ", h("strong", {}, "carte Vitale avec photo"), " (son numéro de série vous sera demandé) ;"),
        h("li", {}, "votre ", h("strong", {}, "RIB"), " (relevé d'identité bancaire, pour votre IBAN) ;"),
        h("li", {}, "une ", h("strong", {}, "adresse email personnelle"), " que vous consultez facilement."))),
    disclosure("Qui ne peut pas créer son compte en ligne ?",
      h("p", {}, "La création en ligne n'est pas possible, et votre caisse d'assurance maladie vous aidera, si :"),
      h("ul", {},
        h("li", {}, "vous n'êtes pas assuré en votre nom propre (ouvreur de droits) au régime général ou à l'un des ",
          "régimes partenaires : CAMIEG, CANSSM, CAVIMAC, CNMSS, CRPCEN, ENIM, MGP ;"),
        h("li", {}, "vous n'avez qu'un numéro de sécurité sociale provisoire ou un numéro d'attente non certifié ;"),
        h("li", {}, "avec la carte Vitale et le RIB seulement : l'Assurance Maladie ne connaît pas vos coordonnées ",
          "bancaires, ou vous n'avez pas de carte Vitale active (par exemple après un changement de caisse ",
          "pas encore terminé). Dans ces deux cas, FranceConnect reste possible.")),
      needHelp()));
}

function noSerialHelp() {
  return disclosure("Je ne dispose pas du numéro de série de ma carte Vitale",
    h("p", {}, "Si vous ne pouvez pas lire le numéro de série de votre carte Vitale (numéro effacé, carte abîmée…), ",
      "vous pouvez :"),
    h("ol", {},
      h("li", {}, h("strong", {}, "contacter votre caisse d'assurance maladie"),
        " : un conseiller vous aidera à créer votre compte ;"),
      h("li", {}, h("strong", {}, "créer immédiatement votre compte avec FranceConnect"), ".")),
    franceConnectButton(),
    needHelp({ intro: "Un conseiller peut créer votre compte avec vous, sans le numéro de série." }));
}

export const proof = {
  title: "Accédez immédiatement à votre compte",
  async render(ctx) {
    const current = await resumeSignup(ctx, "proof");
    if (!current) return null;
    const display = current.proof || {};
    const prefix = display.carte_vitale_serial_prefix || "";
    const groups = ibanKnownGroups(display.iban_masked);
    const fields = [
      proofRow(textField({
        name: "iban_last7", label: "Saisissez les 7 derniers chiffres de votre IBAN",
        hint: ["Complétez votre IBAN, dont le début est affiché.", h("span", { class: "fr-sr-only" }, " ", ibanSpoken(groups))],
        attrs: {
          autocomplete: "off", autocapitalize: "characters", maxlength: "12", size: "9", class: "fr-input proof-input",
          spellcheck: "false",
        },
        help: { label: "IBAN", content: [
          h("p", {}, "Votre IBAN figure sur votre relevé d'identité bancaire (RIB), disponible dans votre espace ",
            "de banque en ligne ou auprès de votre banque."),
          h("p", { class: "fr-mb-0" }, "Saisissez ses 7 derniers caractères : le plus souvent des chiffres, ",
            "parfois une lettre."),
        ] },
      }), groups, "iban"),
      proofRow(textField({
        name: "carte_vitale_serial_last11",
        label: "Saisissez les 11 derniers chiffres du numéro de série de votre carte Vitale avec photo",
        hint: ["Le numéro de série compte 21 chiffres ; les 10 premiers sont affichés.",
          h("span", { class: "fr-sr-only" }, ` Ils sont : ${prefix.split("").join(" ")}.`)],
        attrs: {
          autocomplete: "off", inputmode: "numeric", maxlength: "15", size: "13", class: "fr-input proof-input",
        },
        help: { label: "numéro de série de la carte Vitale", content: [
          h("p", { class: "fr-mb-0" }, "Le numéro de série, de 21 chiffres, est inscrit sur votre carte Vitale avec photo. ",
            "Les 10 premiers chiffres sont affichés : saisissez les 11 suivants."),
        ] },
      }), prefix ? [prefix] : [], "serial"),
    ];
    const [iban, serial] = fields;
    const summarySlot = h("div", {});
    const lockHelp = h("div", {});
    const errors = formErrors(summarySlot, fields);
    const form = h("form", { novalidate: true },
      iban.node, serial.node, serialDrawing(), noSerialHelp(), requiredNotice(),
      buttons(
        button("Retour", { primary: false, onClick: () => goBack(ctx, current) }),
        button("Valider", { type: "submit" })));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(form, async () => {
        const problems = [];
        if (!iban.value().trim()) problems.push({ field: "iban_last7", message: "Saisissez les 7 derniers caractères de votre IBAN." });
        if (!serial.value().trim()) {
          problems.push({ field: "carte_vitale_serial_last11", message: "Saisissez les 11 derniers chiffres du numéro de série de votre carte Vitale." });
        }
        if (problems.length) {
          errors.show(problems);
          return;
        }
        errors.clear();
        const answer = await api("POST", signupPath(current, "/proof"), {
          token: current.token,
          body: { iban_last7: iban.value(), carte_vitale_serial_last11: serial.value() },
        });
        if (answer.ok) {
          advance(ctx, current, answer.data, { fallback: STEP_PATHS.terms });
          return;
        }
        const { problem } = answer;
        const redirect = signupProblemRedirect(problem);
        if (redirect) {
          ctx.navigate(redirect.to, redirect.options);
        } else if (problem.code === "ACCOUNT_ALREADY_EXISTS") {
          signup.clear();
          ctx.navigate("/creer-mon-compte/compte-existant");
        } else if (problem.code === "PROOF_MISMATCH") {
          const left = Number(problem.attempts_left);
          showAlert(summarySlot, {
            title: "Informations de vérification incorrectes",
            text: "Les 7 derniers caractères de l'IBAN ou les 11 derniers chiffres du numéro de série de la carte Vitale "
              + "ne correspondent pas à ceux que nous connaissons. Vérifiez votre saisie.",
            children: Number.isFinite(left) ? [h("p", { class: "fr-text--bold attempts-left" },
              `Il vous reste ${left} essai${left > 1 ? "s" : ""}.`)] : [],
          });
        } else if (problem.code === "TOO_MANY_ATTEMPTS") {
          showAlert(summarySlot, {
            title: problem.title,
            text: problemText(problem),
            children: [h("p", {}, "Vous pouvez aussi contacter votre caisse d'assurance maladie, ",
              "ou créer votre compte avec FranceConnect.")],
          });
          lockHelp.replaceChildren(needHelp({ intro: "Un conseiller peut créer votre compte avec vous sans attendre." }),
            franceConnectButton());
        } else if (fieldErrors(problem).length) {
          errors.show(fieldErrors(problem));
        } else {
          showAlert(summarySlot, { title: problem.title, text: problemText(problem) });
        }
      });
    });

    const who = memory.identity;
    return page(
      heading("Accédez immédiatement à votre compte"),
      who ? h("div", { class: "identity-recap fr-mb-3w" },
        h("p", { class: "fr-text--bold fr-mb-1w" }, "Je crée mon compte avec :"),
        h("ul", { class: "fr-mb-0" },
          h("li", {}, "Mon nom : ", who.last_name),
          h("li", {}, "Mon n° de sécurité sociale : ", formatNir(who.nir)),
          h("li", {}, "Ma date de naissance : ", who.birth_date_text),
          h("li", {}, "Mon code postal : ", who.postal_code))) : null,
      h("p", {}, "Pour vérifier que vous êtes bien la personne concernée, complétez votre IBAN et le numéro de série ",
        "de votre carte Vitale."),
      summarySlot,
      lockHelp,
      form);
  },
};

async function goBack(ctx, current) {
  await api("DELETE", signupPath(current), { token: current.token }); // the old signup is of no use now
  signup.clear();
  ctx.navigate(START_PATH);
}

export const refusal = {
  title: "Création de compte en ligne impossible",
  render() {
    return page(
      heading("Création de compte en ligne impossible"),
      alert({ type: "warning", text: "Nous ne pouvons pas créer votre compte en ligne avec ces informations." }),
      h("h2", { class: "fr-h4" }, "Que pouvez-vous faire ?"),
      h("ol", {},
        h("li", { class: "fr-mb-2w" }, h("strong", {}, "Vérifier votre saisie"),
          " : votre nom (de naissance ou d'usage), votre numéro de sécurité sociale, votre date de naissance ",
          "et votre code postal (actuel ou ancien). ", h("a", { href: START_PATH }, "Modifier ma saisie")),
        h("li", { class: "fr-mb-2w" }, h("strong", {}, "Contacter votre caisse d'assurance maladie"),
          " : un conseiller vous aidera à créer votre compte."),
        h("li", {}, h("strong", {}, "Créer votre compte avec FranceConnect"),
          " : si vous avez un compte impots.gouv.fr, L'Identité Numérique La Poste, MSA ou France Identité.")),
      franceConnectButton(),
      needHelp());
  },
};

export const accountExists = {
  title: "Vous avez déjà un compte ameli",
  render() {
    return page(
      heading("Vous avez déjà un compte ameli"),
      h("p", {}, "Un compte existe déjà pour ce numéro de sécurité sociale. ",
        "Connectez-vous avec votre numéro de sécurité sociale et votre code personnel."),
      buttons(linkButton("Se connecter", "/connexion")));
  },
};
