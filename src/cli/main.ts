import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerAccountsCommand } from "./commands/accounts.js";
import { registerConfigCommand } from "./commands/config.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerHealthcheckCommand } from "./commands/healthcheck.js";
import { registerLoginCommand } from "./commands/login.js";
import { registerLogoutCommand } from "./commands/logout.js";
import { registerMatchCommand } from "./commands/match.js";
import { registerQueueCommand } from "./commands/queue.js";
import { registerRunCommand } from "./commands/run.js";
import { registerStatusCommand } from "./commands/status.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("trakt-scrobblerd")
    .description("Records what you play in Kodi, mpv and Plex on Trakt — reliably, unattended.")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "config file (default: see README, 'Configuration')")
    .option("--state-dir <dir>", "where tokens, the outbox and caches live")
    .showHelpAfterError();

  registerRunCommand(program);
  registerStatusCommand(program);
  registerLoginCommand(program);
  registerLogoutCommand(program);
  registerAccountsCommand(program);
  registerConfigCommand(program);
  registerQueueCommand(program);
  registerMatchCommand(program);
  registerDoctorCommand(program);
  registerHealthcheckCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
