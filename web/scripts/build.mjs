#!/usr/bin/env node
// Builds what a first visit downloads, into web/dist/ (generated, git-ignored), for a phone's budget
// (scripts/web_budget.py measures it):
//   dist/app.js     every screen in one minified ES module (about 44 KB compressed): one request; with the
//                   DSFR scripts (js/dsfr.js: core, modal, header, password, toggle), evaluated once the
//                   first screen is shown, and the Carte Vitale drawing (img/, as a data: URI);
//   dist/app.css    only the DSFR CSS the client uses: the core and the components of its screens,
//                   minus the selectors no screen uses (PurgeCSS over index.html and js/), plus the
//                   client's icons and css/app.css; icons inlined (data: URIs, allowed by the CSP);
//   dist/fonts/     Marianne regular and bold (the DSFR's medium, 500, is drawn with the regular), subset to the characters of French text
//                   (ASCII, French accented letters, œ æ, typographic quotes and dashes, €), woff2;
//                   any other character falls back to Arial. Medium, light, italics and Spectral are
//                   dropped: each font a first screen needs is one more request on its critical path.
// Run after `npm ci`: node scripts/build.mjs (paths are relative to this file).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { PurgeCSS } from "purgecss";
import subsetFont from "subset-font";

const WEB = dirname(dirname(fileURLToPath(import.meta.url)));
const DSFR = join(WEB, "node_modules", "@gouvfr", "dsfr", "dist");
const OUT = join(WEB, "dist");

// The DSFR components whose markup the client builds (index.html and js/ui.js, js/screens/*).
const COMPONENTS = ["alert", "button", "callout", "checkbox", "connect", "footer", "form", "header", "input",
  "link", "logo", "modal", "password", "radio", "skiplink", "stepper", "table", "toggle"];

const FONTS = [
  { file: "Marianne-Regular.woff2", weight: 400, out: "marianne-regular.woff2" },
  { file: "Marianne-Bold.woff2", weight: 700, out: "marianne-bold.woff2" },
];
// French text: ASCII, the letters of French (and names: ñ, ß...), its punctuation, € and °.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
const FRENCH = `${ASCII}àáâäãåæçéèêëíìîïñóòôöõøœúùûüýÿßÀÁÂÄÃÅÆÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØŒÚÙÛÜÝŸ«»‘’“”–—…•€°²·\u00a0\u202f`;
const UNICODE_RANGE = [...new Set(Array.from(FRENCH, (c) => c.codePointAt(0)))].sort((a, b) => a - b)
  .map((n) => `U+${n.toString(16).toUpperCase()}`).join(",");

// Classes the DSFR's scripts add at run time (they build the names: PurgeCSS cannot see them in js/).
const SAFELIST = {
  standard: [/^fr-modal/, /^fr-btn--(menu|close)$/, /^fr-header/, /^fr-password/, /^fr-collapse/, /^fr-alert--/,
    /^fr-message--/, /^fr-callout--/, /^fr-input--/, /^fr-fieldset--/, /^fr-input-group--/, /^fr-icon-/],
  // The client sets no colour scheme (light only): the dark theme's rules go.
  greedy: [/data-fr-js/, /fr-js/, /fr-no-scroll/],
};

async function buildFonts() {
  mkdirSync(join(OUT, "fonts"), { recursive: true });
  const faces = [];
  for (const font of FONTS) {
    // noLayoutClosure: no glyph reachable only through OpenType substitutions (alternates, ligatures).
    const subset = await subsetFont(readFileSync(join(DSFR, "fonts", font.file)), FRENCH,
      { targetFormat: "woff2", noLayoutClosure: true });
    writeFileSync(join(OUT, "fonts", font.out), subset);
    // optional: a font that is not there in time is not swapped in later (no layout shift).
    faces.push(`@font-face{font-family:Marianne;font-style:normal;font-weight:${font.weight};font-display:optional;`
      + `src:url(/dist/fonts/${font.out}) format("woff2");unicode-range:${UNICODE_RANGE}}`);
  }
  return faces.join("\n");
}

/** esbuild plugin: the DSFR core without its @font-face rules (ours replace them). */
const withoutDsfrFonts = {
  name: "without-dsfr-fonts",
  setup(build) {
    build.onLoad({ filter: /core\.main\.min\.css$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replace(/@font-face\{[^}]*\}/g, ""),
      loader: "css",
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * A stylesheet: the DSFR core and `components`, the client's icons (unless `icons` is false) and
 * css/app.css, minus every selector the `content` files do not use (but the `safelist`), after `fontFaces`
 * (none: the system font).
 */
async function buildCss({ components, content, fontFaces = "", icons = true, safelist = SAFELIST, out }) {
  const imports = [
    join(DSFR, "core", "core.main.min.css"),
    ...components.map((name) => join(DSFR, "component", name, `${name}.main.min.css`)),
    icons ? join(WEB, "vendor", "dsfr", "utility", "icons", "icons.subset.min.css") : null,
    join(WEB, "css", "app.css"),
  ].filter(Boolean).map((file) => `@import ${JSON.stringify(file)};`).join("\n");
  const bundled = await esbuild.build({
    stdin: { contents: imports, loader: "css", resolveDir: WEB },
    bundle: true, write: false, minify: true, logLevel: "warning",
    loader: { ".svg": "dataurl", ".woff2": "empty", ".woff": "empty" },
    plugins: [withoutDsfrFonts],
  });
  const [purged] = await new PurgeCSS().purge({
    content: content.map((file) => join(WEB, file)),
    css: [{ raw: bundled.outputFiles[0].text }],
    safelist,
    variables: true,
    keyframes: false,
    fontFace: false,
  });
  const minified = await esbuild.transform(`${fontFaces}\n${purged.css}`, { loader: "css", minify: true });
  writeFileSync(join(OUT, out), minified.code);
}

// The link's page (activation.html): what its script can show, nothing else; Marianne is not loaded
// (the DSFR's stack falls back to Arial): two fonts would be most of its bytes.
const ACTIVATION_COMPONENTS = ["alert", "button", "footer", "header", "link", "logo", "skiplink"];
const ACTIVATION_CONTENT = ["dist/activation.html", "js/activation-page.js", "js/screens/activation.js", "js/ui.js", "js/dom.js"];
// No DSFR script runs there: only the alert types ui.js builds as `fr-alert--${type}`; no utility icon is used.
const ACTIVATION_SAFELIST = { standard: [/^fr-alert--/] };

/**
 * One script for every screen (dist/app.js, no chunks: each chunk was one more request, and the code the
 * screens share went into chunks of its own too). The DSFR's scripts are in it too: app.js imports them
 * after the first render, and without code splitting esbuild keeps that import() in the bundle, evaluated
 * only then (a file of their own cost a request, and Lighthouse saw no gain: web/README.md).
 */
async function buildJs() {
  // The few images a screen shows (img/) become data: URIs in the bundle: no request of their own.
  const common = {
    bundle: true, format: "esm", minify: true, target: "es2020", legalComments: "none", logLevel: "warning",
    loader: { ".svg": "dataurl" },
  };
  await esbuild.build({ ...common, entryPoints: [join(WEB, "js", "app.js")], outfile: join(OUT, "app.js") });
  await esbuild.build({ ...common, entryPoints: [join(WEB, "js", "activation-page.js")], outfile: join(OUT, "activation.js") });
}

/** An SVG as a data: URI for a double-quoted HTML attribute, percent-encoded only where needed (base64 is larger). */
function svgDataUri(svg) {
  return `data:image/svg+xml,${svg.trim().replace(/"/g, "'").replace(/[\r\n%#<>&]/g, encodeURIComponent)}`;
}

// The DSFR's favicon, inline in both pages (the CSP allows img-src data:): a browser asks for an icon file at
// each page, and again after each History API navigation when it is not cached.
const FAVICON_LINK = `<link rel="icon" href="${svgDataUri(readFileSync(join(WEB, "vendor", "dsfr", "favicon", "favicon.svg"), "utf8"))}" type="image/svg+xml">`;

/** dist/activation.html: activation.src.html with index.html's skip links and footer (one source for both pages). */
function buildActivationPage() {
  const index = readFileSync(join(WEB, "index.html"), "utf8");
  const block = (start, end) => {
    const from = index.indexOf(start);
    const to = index.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`index.html: no ${start}...${end} block for dist/activation.html`);
    return index.slice(from, to + end.length);
  };
  const blocks = {
    favicon: FAVICON_LINK,
    skiplinks: block('<div class="fr-skiplinks">', "</div>"),
    footer: block("<footer", "</footer>"),
  };
  const page = readFileSync(join(WEB, "activation.src.html"), "utf8")
    .replace(/<!-- build: (\w+)[^>]*-->/g, (marker, name) => {
      if (!blocks[name]) throw new Error(`activation.src.html: unknown block ${name}`);
      return blocks[name];
    });
  writeFileSync(join(OUT, "activation.html"), page);
}

/**
 * Every file the pages name under /dist/ exists (a renamed file would fail here, not in a browser), and their
 * favicon is the DSFR's of vendor/ (index.html is served as it is: its inline copy must follow the DSFR's).
 */
function checkPages() {
  for (const file of [join(WEB, "index.html"), join(OUT, "activation.html")]) {
    const html = readFileSync(file, "utf8");
    const name = file.slice(WEB.length + 1);
    if (!html.includes(FAVICON_LINK)) throw new Error(`${name}: the favicon must be the DSFR's, inline:\n${FAVICON_LINK}`);
    for (const [, path] of html.matchAll(/(?:href|src)="\/dist\/([^"]+)"/g)) {
      if (!existsSync(join(OUT, path))) throw new Error(`${name} names /dist/${path}, which the build did not make`);
    }
  }
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
buildActivationPage();
const faces = await buildFonts();
await buildCss({ components: COMPONENTS, content: ["index.html", "js/**/*.js"], fontFaces: faces, out: "app.css" });
await buildCss({
  components: ACTIVATION_COMPONENTS, content: ACTIVATION_CONTENT, icons: false, safelist: ACTIVATION_SAFELIST, out: "activation.css",
});
await buildJs();
checkPages();
const size = (file) => readFileSync(join(OUT, file)).length;
console.log(`web/dist: app.js ${size("app.js")} B, app.css ${size("app.css")} B, `
  + `activation.js ${size("activation.js")} B, activation.css ${size("activation.css")} B, `
  + FONTS.map((f) => `${f.out} ${size(join("fonts", f.out))} B`).join(", "));
