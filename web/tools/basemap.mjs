// The offline basemap: Natural Earth (public domain) land and country borders from the
// npm package world-atlas, turned from TopoJSON into GeoJSON once, at build time, so
// that the console loads two static files and fetches nothing from anywhere else.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature, mesh } from "topojson-client";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "public", "basemap");
const read = (name) => JSON.parse(readFileSync(require.resolve(`world-atlas/${name}`), "utf8"));

// Coordinates to 0.01° (about 1 km): the 50 m scale holds no finer detail.
const rounded = (geometry) =>
  JSON.stringify(geometry, (key, value) =>
    typeof value === "number" ? Math.round(value * 100) / 100 : value,
  );

mkdirSync(out, { recursive: true });
const land = read("land-50m.json");
writeFileSync(join(out, "land.json"), rounded(feature(land, land.objects.land)));
const countries = read("countries-50m.json");
// Borders between two countries only: coastlines come from the land itself.
const borders = mesh(countries, countries.objects.countries, (a, b) => a !== b);
writeFileSync(join(out, "borders.json"), rounded(borders));
console.log(`basemap: ${out}`);
