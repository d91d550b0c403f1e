// A process that installs the daemon's fatal handlers on the real JSON logger (stdout) and then fails the way
// argv[2] says: "throw" (an uncaught exception) or "reject" (an unhandled rejection, with a deep cause chain).
import { installFatalHandlers } from "../../src/daemon/fatal.js";
import { createLogger } from "../../src/util/log.js";

const log = createLogger({ level: "info", pretty: false });
installFatalHandlers(log);
log.info("armed");
setTimeout(() => {
  if (process.argv[2] === "reject") {
    let error = new Error("innermost");
    for (let i = 0; i < 5_000; i++) error = new Error(`layer ${i}`, { cause: error });
    void Promise.reject(error);
  } else {
    throw new Error("boom from a timer");
  }
}, 1);
// Without the handlers' exit, this keeps the process alive: a hang would show as a test timeout.
setInterval(() => undefined, 1_000);
