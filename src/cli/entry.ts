// The CLI process entry (bin/trakt-scrobblerd.js loads the compiled copy of main; tests run this file through tsx).
import { main } from "./main.js";

main(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
