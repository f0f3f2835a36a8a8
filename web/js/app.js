// Entry point: registers every screen by path and starts the router. Every screen is in the one bundle
// (web/scripts/build.mjs); the modules of the later screens are evaluated when first shown.
import { register, registerNotFound, start } from "./router.js";
import { landing, linkSent, notFound } from "./screens/home.js";
import { accountExists, identity, proof, refusal } from "./screens/signup.js";

/** A screen whose module is imported when it is first shown; its own title then applies. */
function later(load, name) {
  return {
    title: "",
    async render(ctx) {
      const screen = (await load())[name];
      ctx.setTitle(screen.title);
      return screen.render(ctx);
    },
  };
}

const activation = () => import("./screens/activation.js");
const franceconnect = () => import("./screens/franceconnect.js");
const legal = () => import("./screens/legal.js");
const login = () => import("./screens/login.js");
const steps = () => import("./screens/steps.js");

// `/activation` (the link's page) is web/activation.html, light, with a script of its own
// (js/activation-page.js): CloudFront serves it for that path. Its sequels are here.
const SCREENS = {
  "/": landing,
  "/creer-mon-compte": identity,
  "/creer-mon-compte/verification": proof,
  "/creer-mon-compte/impossible": refusal,
  "/creer-mon-compte/compte-existant": accountExists,
  "/creer-mon-compte/conditions": later(steps, "terms"),
  "/creer-mon-compte/abandon": later(steps, "abandoned"),
  "/creer-mon-compte/code-personnel": later(steps, "password"),
  "/creer-mon-compte/coordonnees": later(steps, "contact"),
  "/creer-mon-compte/messagerie": later(steps, "checkMailbox"),
  "/creer-mon-compte/modifier-adresse": later(steps, "correctAddress"),
  "/activation/compte-active": later(activation, "active"),
  "/activation/lien-expire": later(activation, "expired"),
  "/activation/autre-adresse": later(activation, "otherAddress"),
  "/activation/adresse-supprimee": later(activation, "deleted"),
  "/activation/lien-invalide": later(activation, "invalid"),
  "/nouveau-lien-envoye": linkSent,
  "/connexion": later(login, "login"),
  "/connexion/email-a-confirmer": later(login, "notConfirmed"),
  "/connexion/lien-expire": later(login, "expired"),
  "/connexion/nouvelle-adresse": later(login, "newAddress"),
  "/connexion/code-oublie": later(login, "forgotten"),
  "/mon-compte": later(login, "account"),
  "/franceconnect/retour": later(franceconnect, "franceConnectReturn"),
  "/accessibilite": later(legal, "accessibility"),
  "/mentions-legales": later(legal, "legalNotice"),
  "/donnees-personnelles": later(legal, "personalData"),
};

for (const [path, screen] of Object.entries(SCREENS)) register(path, screen);
registerNotFound(notFound);

// The DSFR's scripts run after the first screen (which may wait for the API): a tap on the header's "Menu"
// before they have set the button up is kept, and replayed once they have (a DSFR instance marks it data-fr-js-*).
const MENU = "#bouton-menu";
let menuTapped = false;
const keepMenuTap = (event) => {
  if (event.target.closest && event.target.closest(MENU) && !dsfrReady()) menuTapped = true;
};
const dsfrReady = () => {
  const menu = document.querySelector(MENU);
  return Boolean(menu) && menu.getAttributeNames().some((name) => name.startsWith("data-fr-js"));
};
document.addEventListener("click", keepMenuTap, true);

function replayMenuTap(triesLeft = 100) {
  if (dsfrReady()) {
    document.removeEventListener("click", keepMenuTap, true);
    if (menuTapped) document.querySelector(MENU).click();
  } else if (triesLeft > 0) {
    window.setTimeout(() => replayMenuTap(triesLeft - 1), 50);
  }
}

start().finally(() => import("./dsfr.js").then(() => replayMenuTap()));
