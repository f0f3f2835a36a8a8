// The DSFR's scripts the client uses (the header's menu is a modal; the password field's "Afficher"
// box; the account page's toggles), imported by app.js once the first screen is shown: they are not
// needed to read it. web/scripts/build.mjs bundles them into dist/app.js (no request of their own),
// evaluated only at that import.
import "../node_modules/@gouvfr/dsfr/dist/core/core.module.min.js";
import "../node_modules/@gouvfr/dsfr/dist/component/modal/modal.module.min.js";
import "../node_modules/@gouvfr/dsfr/dist/component/header/header.module.min.js";
import "../node_modules/@gouvfr/dsfr/dist/component/password/password.module.min.js";
import "../node_modules/@gouvfr/dsfr/dist/component/toggle/toggle.module.min.js";
