// The CLI program: global options and every command (./commands.ts); a command's work loads when it runs.
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerCommands } from "./commands.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("trakt-scrobblerd")
    .description("Records what you play in Kodi, mpv and Plex on Trakt — reliably, unattended.")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "config file (default: see README, 'Configuration')")
    .option("--state-dir <dir>", "where tokens, the outbox and caches live")
    .showHelpAfterError();
  registerCommands(program);
  return program;
}
