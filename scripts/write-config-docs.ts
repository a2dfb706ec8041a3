// npm run docs:config: regenerates the config JSON Schema and the README's configuration reference.
import { readFile, writeFile } from "node:fs/promises";
import { README_FILE, readmeWithReference, SCHEMA_FILE, schemaFileText } from "./config-docs.js";

await writeFile(SCHEMA_FILE, schemaFileText());
await writeFile(README_FILE, readmeWithReference(await readFile(README_FILE, "utf8")));
process.stdout.write(`wrote ${SCHEMA_FILE} and the configuration reference in ${README_FILE}\n`);
