// Loading a saved list interns each name once, in one lookup: a repeat is refused without moving the first.
import { describe, expect, it } from "vitest";
import { Vocabulary } from "../../src/model/vocabulary.js";

describe("Vocabulary.internNew", () => {
  it("gives a new name the next id and refuses a repeat, keeping its first id", () => {
    const vocab = new Vocabulary(["##UNK##"]);
    expect(vocab.internNew("a")).toBe(true);
    expect(vocab.internNew("__proto__")).toBe(true);
    expect(vocab.internNew("a")).toBe(false);
    expect(vocab.internNew("##UNK##")).toBe(false);
    expect(vocab.list()).toEqual(["##UNK##", "a", "__proto__"]);
    expect(vocab.lookup("a", -1)).toBe(1);
    expect(vocab.lookup("##UNK##", -1)).toBe(0);
    expect(vocab.intern("b")).toBe(3);
  });
});
