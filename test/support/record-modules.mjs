// `node --import ./record-modules.mjs …`: appends the URL of every ES module the process loads to the file named by
// $RECORD_MODULES_FILE (one per line). CommonJS modules that other CommonJS modules require() are not seen.
import { register } from "node:module";

register("./record-modules-hook.mjs", import.meta.url, { data: { file: process.env.RECORD_MODULES_FILE } });
