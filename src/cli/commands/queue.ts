import type { Command } from "commander";
import type { GlobalOptions } from "../options.js";

export function registerQueueCommand(program: Command): void {
  const queueCommand = program.command("queue").description("inspect and manage the outbox and its dead letters");
  const run = async (command: Command, op: "list" | "retry" | "drop", id?: string): Promise<void> => {
    const { queue } = await import("../actions/queue.js");
    await queue(command.optsWithGlobals<GlobalOptions & { json?: boolean }>(), op, id);
  };
  queueCommand
    .command("list")
    .description("show what waits to be sent and the dead letters, with reason and age")
    .option("--json", "machine-readable output")
    .action((_opts: unknown, command: Command) => run(command, "list"));
  queueCommand
    .command("retry <id>")
    .description("move a dead letter back to the queue (an id prefix is enough)")
    .action((id: string, _opts: unknown, command: Command) => run(command, "retry", id));
  queueCommand
    .command("drop <id>")
    .description("remove a dead letter or a pending intent for good (an id prefix is enough)")
    .action((id: string, _opts: unknown, command: Command) => run(command, "drop", id));
}
