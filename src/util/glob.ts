// Path patterns users write in the config (identify overrides, Kodi's excludePaths). One matcher, one meaning:
//
// - `*` any run of characters within one folder name; `?` one character within a folder name;
// - `**/` zero or more whole folders (`**/Extras/*` matches `Extras/a.mkv` and `/media/x/Extras/a.mkv`, not
//   `/media/MyExtras/a.mkv`), as in common glob libraries; `**` anywhere else: anything, across folders;
// - `/` and `\` each match either separator (Kodi on Windows reports `D:\Movies\…`, on a NAS `smb://…/…`);
// - everything else is literal — `( ) [ ] { } ! + @ .` included — and a leading dot is not special;
// - the whole path must match; case does not matter.
// A pattern without `*` or `?` matches any path that contains it (case-insensitive, either separator).
//
// Why not picomatch/minimatch: they give `( ) [ ] { } ! +` glob meanings, and media paths are full of them
// ("Alien (1979)", "Film [2019]"): picomatch 4 does not match "/m/Alien (1979)/a.mkv" with that very path as the
// pattern, and by default `*`/`**` skip folders starting with a dot. Users would have to escape ordinary folder names.
// The three wildcards above fit in a few lines.

const SEPARATOR = "[/\\\\]";
const NOT_SEPARATOR = "[^/\\\\]";

/** The pattern as an anchored, case-insensitive regular expression (see the rules above). */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      const slash = glob[i + 1];
      if (slash === "/" || slash === "\\") {
        re += `(?:.*${SEPARATOR})?`;
        i++;
      } else {
        re += ".*";
      }
    } else if (c === "*") re += `${NOT_SEPARATOR}*`;
    else if (c === "?") re += NOT_SEPARATOR;
    else if (c === "/" || c === "\\") re += SEPARATOR;
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

const plain = (text: string): string => text.toLowerCase().replaceAll("\\", "/");

/** A matcher for one user pattern: a glob when it has `*` or `?`, otherwise a substring (see the rules above). */
export function pathMatcher(pattern: string): (path: string) => boolean {
  if (isGlob(pattern)) {
    const re = globToRegExp(pattern);
    return (path) => re.test(path);
  }
  const needle = plain(pattern);
  return (path) => plain(path).includes(needle);
}
