import type { Command } from "commander";

// Filled in by issue #4.
export function registerQueueCommand(program: Command): void {
  program
    .command("queue")
    .description("inspect and manage the outbox and its dead letters")
    .action(() => {
      console.error("queue: not implemented yet");
      process.exitCode = 1;
    });
}
