/** Options every command accepts; read them with `command.optsWithGlobals<GlobalOptions>()`. */
export interface GlobalOptions {
  config?: string;
  stateDir?: string;
}
