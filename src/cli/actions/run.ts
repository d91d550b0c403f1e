// `run`: the daemon in the foreground until SIGTERM/SIGINT; SIGHUP reloads the config.
import { ConfigError } from "../../config/errors.js";
import { Daemon } from "../../daemon/daemon.js";
import { installFatalHandlers } from "../../daemon/fatal.js";
import { installSignalHandlers } from "../../daemon/signals.js";
import { createLogger } from "../../util/log.js";
import type { GlobalOptions } from "../options.js";

export async function run(globals: GlobalOptions): Promise<void> {
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ configFile: globals.config, stateDir: globals.stateDir });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`invalid configuration:\n${error.message}`);
      process.exitCode = 2;
      return;
    }
    createLogger({ level: "error" }).fatal({ err: error }, "trakt-scrobblerd could not start");
    process.exitCode = 1;
    return;
  }
  installFatalHandlers(daemon.log);
  installSignalHandlers(
    {
      shutdown: () => daemon.stop(),
      reload: () => {
        daemon.log.info("SIGHUP: reloading the config");
        void daemon.reload();
      },
    },
    daemon.log,
  );
}
