// An in-memory keytar whose behaviour a test flips: normal, locked (null answers, refused writes), hung.
import type { KeytarLike } from "../../src/secrets/keychain.js";

export class FakeKeytar implements KeytarLike {
  readonly data = new Map<string, string>();
  mode: "ok" | "locked" | "hang" = "ok";
  calls = 0;
  getPassword(service: string, account: string): Promise<string | null> {
    return this.op(() => (this.mode === "locked" ? null : (this.data.get(`${service}/${account}`) ?? null)));
  }
  setPassword(service: string, account: string, password: string): Promise<void> {
    return this.op(() => {
      if (this.mode === "locked") throw new Error("Cannot create an item in a locked collection");
      this.data.set(`${service}/${account}`, password);
    });
  }
  deletePassword(service: string, account: string): Promise<boolean> {
    return this.op(() => this.data.delete(`${service}/${account}`));
  }
  private op<T>(fn: () => T): Promise<T> {
    this.calls++;
    if (this.mode === "hang") return new Promise<T>(() => undefined);
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
