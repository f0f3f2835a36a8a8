// Entry point: registers every screen by path and starts the router.
import { register, registerNotFound, start } from "./router.js";
import * as activation from "./screens/activation.js";
import { franceConnectReturn } from "./screens/franceconnect.js";
import { landing, linkSent, notFound } from "./screens/home.js";
import * as login from "./screens/login.js";
import { accountExists, identity, proof, refusal } from "./screens/signup.js";
import { abandoned, checkMailbox, contact, password, terms } from "./screens/steps.js";

const SCREENS = {
  "/": landing,
  "/creer-mon-compte": identity,
  "/creer-mon-compte/verification": proof,
  "/creer-mon-compte/impossible": refusal,
  "/creer-mon-compte/compte-existant": accountExists,
  "/creer-mon-compte/conditions": terms,
  "/creer-mon-compte/abandon": abandoned,
  "/creer-mon-compte/code-personnel": password,
  "/creer-mon-compte/coordonnees": contact,
  "/creer-mon-compte/messagerie": checkMailbox,
  "/activation": activation.confirm,
  "/activation/compte-active": activation.active,
  "/activation/lien-expire": activation.expired,
  "/activation/autre-adresse": activation.otherAddress,
  "/activation/adresse-supprimee": activation.deleted,
  "/activation/lien-invalide": activation.invalid,
  "/nouveau-lien-envoye": linkSent,
  "/connexion": login.login,
  "/connexion/email-a-confirmer": login.notConfirmed,
  "/connexion/lien-expire": login.expired,
  "/connexion/nouvelle-adresse": login.newAddress,
  "/connexion/code-oublie": login.forgotten,
  "/mon-compte": login.account,
  "/franceconnect/retour": franceConnectReturn,
};

for (const [path, screen] of Object.entries(SCREENS)) register(path, screen);
registerNotFound(notFound);
start();
