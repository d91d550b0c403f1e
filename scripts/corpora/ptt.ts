// dreulavelle/PTT (parse-torrent-title for Python, MIT; the TypeScript port @viren070/parse-torrent-title is the
// library the parser uses to trim titles): the release names of its pytest suite.
//   tests/test_main.py (and test_sports.py): the whole answer (the test compares the parser's full output), so an
//     absent year means none; season and episode lists; a date makes an episode.
//   tests/test_title.py, test_season.py, test_episodes.py, test_year.py: one field each (`only`).
// The parametrize lists are read with Python's own `ast.literal_eval` (they are Python literals; `list(range(a, b))`
// is expanded).
//   npx tsx scripts/corpora/ptt.ts <git dir> <commit>
import { execFileSync } from "node:child_process";
import { args, gitShow, mergeByName, single, writeCorpus, type Entry } from "./common.js";

const { gitDir, commit } = args();

const READ_PARAMETRIZE = `
import ast, json, sys
class Ranges(ast.NodeTransformer):
    # list(range(a, b)) is the one non-literal the suite uses; it becomes the list it stands for
    def visit_Call(self, node):
        if getattr(node.func, "id", "") == "list" and node.args and getattr(node.args[0].func, "id", "") == "range":
            bounds = [ast.literal_eval(a) for a in node.args[0].args]
            return ast.List(elts=[ast.Constant(n) for n in range(*bounds)], ctx=ast.Load())
        return self.generic_visit(node)
tree = Ranges().visit(ast.parse(sys.stdin.read()))
out = []
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize" and len(node.args) >= 2:
        out.append(ast.literal_eval(node.args[1]))
print(json.dumps(out))
`;

function parametrize(file: string): unknown[][] {
  const python = ["/usr/bin/python3", "python3"].find((p) => {
    try {
      execFileSync(p, ["-c", "pass"]);
      return true;
    } catch {
      return false;
    }
  });
  if (!python) throw new Error("python3 is needed to read PTT's test lists");
  const lists = JSON.parse(execFileSync(python, ["-c", READ_PARAMETRIZE], { input: gitShow(gitDir, commit, `tests/${file}`), encoding: "utf8" })) as unknown[][][];
  return lists.flat();
}

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((n): n is number => Number.isInteger(n)) : []);
const entries: Entry[] = [];

for (const file of ["test_main.py", "test_sports.py"]) {
  for (const [name, a] of parametrize(file) as [string, Record<string, unknown>][]) {
    if (typeof a !== "object" || typeof a.title !== "string") continue;
    const seasons = numbers(a.seasons);
    const episodes = numbers(a.episodes);
    const e: Entry = { name, source: `tests/${file}`, type: seasons.length > 0 || episodes.length > 0 || a.date !== undefined ? "episode" : "movie", title: a.title };
    if (typeof a.year === "number") e.year = a.year;
    const season = single(seasons);
    if (season !== undefined) e.season = season;
    const episode = single(episodes);
    if (episode !== undefined) e.episode = episode;
    entries.push(e);
  }
}
for (const [name, title] of parametrize("test_title.py") as [string, unknown][]) {
  if (typeof title === "string") entries.push({ name, source: "tests/test_title.py", title, only: ["title"] });
}
for (const [name, seasons] of parametrize("test_season.py") as [string, unknown][]) {
  const e: Entry = { name, source: "tests/test_season.py", only: ["season"] };
  const season = single(numbers(seasons));
  if (season !== undefined) e.season = season;
  entries.push(e);
}
for (const [name, episodes] of parametrize("test_episodes.py") as [string, unknown][]) {
  const e: Entry = { name, source: "tests/test_episodes.py", only: ["episode"] };
  const episode = single(numbers(episodes));
  if (episode !== undefined) e.episode = episode;
  entries.push(e);
}
for (const [name, year, present] of parametrize("test_year.py") as [string, unknown, unknown][]) {
  const e: Entry = { name, source: "tests/test_year.py", only: ["year"] };
  if (present !== false && typeof year === "number") e.year = year;
  entries.push(e);
}
writeCorpus("ptt-corpus.json", mergeByName(entries));
