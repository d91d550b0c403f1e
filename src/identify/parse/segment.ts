// Parses one piece of a path (a file name or a folder name) into title, year, season(s) and episode(s).
// The approach: find every "marker" (SxxEyy, 2x05, Season 3, E12, a year, a date, a technical word, a bare episode
// number), then the title is the text before the first marker. Markers are found by our own rules because the
// library we measured (@viren070/parse-torrent-title) misses multi-episode lists, 3-digit numbering, anime
// numbering and folder context; the library is still used to trim technical words we do not list (see name.ts).
import { FLAG_WORDS, JUNK_TOKEN, LANGUAGE_WORDS, LEADING_FLAG_WORDS, NUMBER_WORDS, STRONG_JUNK, WEAK_JUNK } from "./vocab.js";

type MarkerKind = "se" | "season" | "episode" | "year" | "date" | "junk" | "bare" | "bonus";

interface Marker {
  start: number;
  end: number;
  kind: MarkerKind;
  seasons?: number[];
  episodes?: number[];
  year?: number;
  absolute?: boolean;
  /** A bare number read as season and episode ("312" = S03E12): the number as written. */
  split?: number;
  /** A run of years ("1993-2004"). */
  run?: boolean;
  /** A season letter alone ("S02"), with no episode and no word for "season". */
  lone?: boolean;
  /** Does not end the title: "不死者之王 第四季 OVERLORD Ⅳ", where the name in Latin letters follows. */
  withinTitle?: boolean;
}

export interface SegmentParse {
  /** Title as written, cleaned of separators; undefined when the segment has none (e.g. "E13 - Name.mkv"). */
  title?: string;
  /** Other names found in the segment ("A - B": B; "(Original Title)"), for a second search. */
  alternatives: string[];
  year?: number;
  seasons: number[];
  episodes: number[];
  /** Episode numbers count from the start of the show (anime), not within a season. */
  absolute: boolean;
  /** An explicit season/episode marker was seen (SxxEyy, 2x05, Season N, E12, a bare episode number). */
  episodic: boolean;
  /** Technical words were seen: this looks like a release name. */
  releaseLike: boolean;
  /** A dated episode (Show.2010.11.23). */
  dated: boolean;
  /** The bare number read as season and episode ("312" → S03E12), as written. */
  split?: number;
  /** The name starts with the episode number ("03 - Title"): what follows is the episode's title, not the show's. */
  leadingNumber?: boolean;
  /** The whole name when the title is only its part before " - " ("Star Trek - The Next Generation"). */
  whole?: string;
}

const ALNUM = /[\p{L}\p{N}]/u;

/** Words for "season" (the number follows, or comes first: "Season 2", "2nd Season", "Сезон 4", "3.sezon"). */
const SEASON_WORDS =
  "seasons?|saison|temporadas?|stagione|staffel|seizoen|sezon|sezona|sezonul|s[äæ]song|s[æa]son|sesong|kausi|сезон";

const ORDINAL_WORDS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
};
const maxYear = new Date().getUTCFullYear() + 1;

function range(from: number, to: number): number[] {
  if (to < from || to - from > 200) return [from, to];
  const out: number[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

const ROMAN: Record<string, number> = { i: 1, v: 5, x: 10 };

/** "vii" → 7 (seasons are small: I–XX is enough). */
function roman(token: string): number | undefined {
  if (!/^[ivx]+$/.test(token)) return undefined;
  let total = 0;
  for (let i = 0; i < token.length; i++) {
    const v = ROMAN[token[i]!]!;
    const next = ROMAN[token[i + 1] ?? ""] ?? 0;
    total += v < next ? -v : v;
  }
  return total > 0 && total <= 30 ? total : undefined;
}

/** "7", "sept", "seven", "vii": a small number in digits, words or Roman numerals (lower case). */
function smallNumber(token: string): number | undefined {
  return /^\d+$/.test(token) ? Number(token) : (NUMBER_WORDS[token] ?? roman(token));
}

function isYear(text: string): boolean {
  const n = Number(text);
  return /^(?:19|20)\d\d$/.test(text) && n >= 1900 && n <= maxYear;
}

/** Collects markers without overlaps: earlier (more trusted) rules win a region. */
class Markers {
  readonly list: Marker[] = [];
  overlaps(start: number, end: number): boolean {
    return this.list.some((m) => start < m.end && end > m.start);
  }
  add(marker: Marker): boolean {
    if (this.overlaps(marker.start, marker.end)) return false;
    this.list.push(marker);
    return true;
  }
  has(...kinds: MarkerKind[]): boolean {
    return this.list.some((m) => kinds.includes(m.kind));
  }
}

/** Reads "E02", "-E03", "-03", "&S01E04", ".S01E05", "+E06" after an episode marker; "-" means a range. */
function readEpisodeTail(s: string, from: number, first: number): { episodes: number[]; end: number } {
  const episodes = [first];
  let pos = from;
  const tail =
    /^(?:\s+-\s+(?:S\d{1,4}[ ._-]?E|\d{1,4}x)|(-)\s?(?:S\d{1,4}\s?|\d{1,4}x)?E?|[ ._]?(?:&|and|\+|,)[ ._]?(?:S\d{1,4}[ ._-]?|\d{1,4}x)?E?|[ ._]S\d{1,4}[ ._-]?E|[ ._]?E|[ ._-]?\d{1,4}x|x)(\d{1,4})(?=$|[^0-9a-z]|[ex]\d)/i;
  for (;;) {
    const m = tail.exec(s.slice(pos));
    if (!m) break;
    const n = Number(m[2]);
    const last = episodes[episodes.length - 1] ?? n;
    if (m[1] === "-" && n > last) episodes.push(...range(last + 1, n));
    else episodes.push(n);
    pos += m[0].length;
  }
  return { episodes, end: pos };
}

/**
 * Reads more seasons after a season marker: "S01-S04", "Season 1, 2 & 3", "Seasons 1 2 3". What is not a season
 * stops it: "Season 3 - 11" and "S2-07" are an episode of the season, "S01.07" too.
 */
function readSeasonTail(s: string, from: number, first: number, firstWidth: number, kind: "letter" | "word"): { seasons: number[]; end: number } {
  const seasons = [first];
  let pos = from;
  const tail = /^(\s*(?:-|to|&|,|and|\.|\+)\s*|\s+)(S|season\s?)?(\d{1,2})(?![\p{L}\p{N}])/iu;
  for (;;) {
    const m = tail.exec(s.slice(pos));
    if (!m) break;
    const sep = m[1]!.trim().toLowerCase();
    const n = Number(m[3]);
    const last = seasons[seasons.length - 1] ?? n;
    if (n <= last) break; // lists and ranges go up: "S03.1.1TB" is not seasons 3, 1, 1
    if (m[2] === undefined) {
      if (sep === "-" && /\s-\s/.test(m[1]!) && m[3]!.length >= 2) break; // "Season 3 - 11": episode 11 ("Season 1 - 4": seasons)
      if (sep === "" && (kind === "letter" || n !== last + 1)) break; // "Season 1 2 3" counts up one by one
      if (kind === "letter" && (sep === "." || (sep === "-" && m[3]!.length !== firstWidth))) break; // "S01.07", "S2-07"
    }
    if ((sep === "-" || sep === "to") && n > last) seasons.push(...range(last + 1, n));
    else seasons.push(n);
    pos += m[0].length;
  }
  return { seasons, end: pos };
}

/** "2nd Season", "3ª Temporada", "5-й сезон", "Second Season", "00 Season": a number before the word. */
const ORDINAL_SEASON = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(\\d{1,2})\\s*(?:st|nd|rd|th|ª|º|°|a\\.?|-?й)|(\\d{1,2})|(${Object.keys(ORDINAL_WORDS).join("|")}))[ ._-]*(?:${SEASON_WORDS})(?![\\p{L}])`,
  "giu",
);
/** "Season 2", "Saison sept", "Temporada1", "Season IV": the word, then a number. */
const SEASON_WORD_NUMBER = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${SEASON_WORDS}|tem|temp|series)[ ._:№-]*(\\d{1,2}|${Object.keys(NUMBER_WORDS).join("|")}|[ivx]{1,5}(?![\\p{L}]))(?![0-9])(?:of\\d+)?`,
  "giu",
);

/** Sources that only television gives: a name with one is a broadcast, not a film's release. */
const TV_SOURCE = /(?<![\p{L}\p{N}])(?:A?HDTV|PDTV|SDTV|DSR|DSRip|TVRip|HDTVRip|SATRip|DVBRip)(?![\p{L}\p{N}])/iu;
const PART_NUMBER = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:part|pt)[ ._-]?(\\d{1,2}|${Object.keys(NUMBER_WORDS).join("|")}|[ivx]{1,5})(?![\\p{L}\\p{N}])`,
  "giu",
);

function findEpisodeMarkers(s: string, markers: Markers): void {
  // S01E02, S01 E02, S01.E02, S01EP02 (+ lists and ranges)
  // S01E02, S01 E02, S01.E02, S01EP02, S01x02, T01E02 / T01xE02 (Temporada), 01E02 (+ lists and ranges)
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])(?:S(\d{1,4})(?:[ ._-]?x?EP?[ ._-]?|x)|T(\d{1,2})x?E|(\d{1,2})E(?=\d{2,3}(?![\p{L}\p{N}])))(\d{1,4})(?![0-9])/giu)) {
    const season = Number(m[1] ?? m[2] ?? m[3]);
    const tail = readEpisodeTail(s, m.index + m[0].length, Number(m[4]));
    markers.add({ start: m.index, end: tail.end, kind: "se", seasons: [season], episodes: tail.episodes });
  }
  // 2x05, 1x02.1x03, 2016x03 — but not 1280x720, nor audio channels "5.1x2"
  for (const m of s.matchAll(/(?<![\p{L}\p{N}]|(?<!\p{N})\d\.)(\d{1,4})x(\d{1,3})(?![0-9])/giu)) {
    if (m[1]!.length >= 3 && m[2]!.length >= 3) continue;
    // "4x4.Some.Title.S01E09": at the start of a name with an SxxEyy further on, it is the title's
    if (m.index === 0 && /(?<![\p{L}\p{N}])S\d{1,4}[ ._-]?E\d/iu.test(s.slice(m[0].length))) continue;
    const tail = readEpisodeTail(s, m.index + m[0].length, Number(m[2]));
    markers.add({ start: m.index, end: tail.end, kind: "se", seasons: [Number(m[1])], episodes: tail.episodes });
  }
  // 1xAll
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])(\d{1,2})xall(?![\p{L}\p{N}])/giu)) {
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "season", seasons: [Number(m[1])] });
  }
  // "2nd Season", "3ª Temporada", "5-й сезон", "Second Season": the number before the word
  // (a plain number only when no number follows: in "Show 00 Season 2" the season is 2)
  for (const m of s.matchAll(ORDINAL_SEASON)) {
    // "Show 00 Season 2": English, French and German put the season's number after the word
    if (m[2] !== undefined && /(?:season|saison|staffel)s?$/i.test(m[0]) && /^[ ._:№-]*\d{1,2}(?![\p{L}\p{N}])/u.test(s.slice(m.index + m[0].length))) continue;
    const season = m[3] !== undefined ? ORDINAL_WORDS[m[3].toLowerCase()]! : Number(m[1] ?? m[2]);
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "season", seasons: [season] });
  }
  // Season 2, Saison sept, Temporada1, Seasons 1 to 5, Season.1&3, S01-S10, S07D1, S01Extras
  for (const m of s.matchAll(SEASON_WORD_NUMBER)) {
    const first = smallNumber(m[1]!.toLowerCase());
    if (first === undefined) continue;
    const tail = readSeasonTail(s, m.index + m[0].length, first, m[1]!.length, "word");
    markers.add({ start: m.index, end: tail.end, kind: "season", seasons: tail.seasons });
  }
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])S(\d{1,2})(?=$|[^\p{L}\p{N}]|D\d|extras?\b)/giu)) {
    // "DD5.1-S56", "[E-AC3-S78]" at the end of the name or of a bracket: a release group's name, not a season
    if (/[\p{L}\p{N}]-$/u.test(s.slice(0, m.index)) && /^\s*(?:[\])]|$)/.test(s.slice(m.index + m[0].length))) continue;
    const tail = readSeasonTail(s, m.index + m[0].length, Number(m[1]), m[1]!.length, "letter");
    markers.add({ start: m.index, end: tail.end, kind: "season", seasons: tail.seasons, lone: true });
  }
  // "- 6.01 -", "[5.01]", "Episode 1.22": season.episode (not "5.1" audio, not "Title 1.11")
  for (const m of s.matchAll(/(?<=(?:\s-\s|\[|episode\s))(\d{1,2})\.(\d{2,3})(?![\p{N}.])/giu)) {
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "se", seasons: [Number(m[1])], episodes: [Number(m[2])] });
  }
  // E13, Ep. 02, Ep 6, Episode 5, Cap.105 (Spanish: season*100+episode), Cap.112_114
  for (const m of s.matchAll(
    /(?<![\p{L}\p{N}])(E|EPS?\.?|Episodes?|Episodio|[EÉ]pisode|Cap\.?|Capitulo|Folge|Серия|Серии|Эпизод|(?<![\p{L}\p{N}#])#|EP\s?#)[ ._:№-]*(\d{1,4})(?:v\d)?(?![0-9]|[a-z]\w)/giu,
  )) {
    // "Titan.A.E.2000", "U.N.C.L.E.2015": the last letter of a dotted acronym
    if (/^e$/i.test(m[1]!) && /(?:^|[^\p{L}\p{N}])\p{L}\.$/u.test(s.slice(0, m.index))) continue;
    // "Robo-E.2008", "Wall-E 2008": a letter hyphened onto a word and set apart from the number ends the word
    // (not "Show-E05", "Show-e01-Title")
    if (/^e$/i.test(m[1]!) && /\p{L}-$/u.test(s.slice(0, m.index)) && /^[ ._]/.test(s.slice(m.index + 1))) continue;
    // "Saga Wars Episode 4 A New Dawn 1977": a film series' episode, its title and the year name a film
    if (/^episode$/i.test(m[1]!) && m[2]!.length === 1 && /\p{L}{2,}/u.test(s.slice(0, m.index)) && /^[ ._-]+(?:[\p{L}'’-]+[ ._]+)+(?:19|20)\d\d(?![\p{L}\p{N}])/u.test(s.slice(m.index + m[0].length))) continue;
    let n = Number(m[2]);
    let seasons: number[] | undefined;
    const isCap = /^cap/i.test(m[1]!);
    if (isCap && m[2]!.length >= 3) {
      seasons = [Math.floor(n / 100)];
      n %= 100;
    }
    let episodes = [n];
    let end = m.index + m[0].length;
    const capRange = isCap ? /^_(\d{1,4})/.exec(s.slice(end)) : null;
    if (capRange) {
      const to = Number(capRange[1]) % (seasons ? 100 : 10000);
      episodes = range(n, to);
      end += capRange[0].length;
    } else {
      const tail = readEpisodeTail(s, end, n);
      episodes = tail.episodes;
      end = tail.end;
    }
    markers.add({ start: m.index, end, kind: "episode", episodes, ...(seasons ? { seasons } : {}) });
  }
  // Japanese and Chinese: 第2期 / 第3季 / 第二季 (season), 第01話 / 01話 / 第01集 / 第十二话 (episode), 全26集 (a whole
  // series of 26 episodes)
  for (const m of s.matchAll(/第\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[期季]/gu)) {
    const season = cjkNumber(m[1]!);
    const end = m.index + m[0].length;
    const latinFollows = /^[\s/]*\p{Script=Latin}/u.test(s.slice(end));
    if (season !== undefined) markers.add({ start: m.index, end, kind: "season", seasons: [season], ...(latinFollows ? { withinTitle: true } : {}) });
  }
  for (const m of s.matchAll(/(?:第\s*)?(\d{1,4})\s*[話话集]|第\s*([一二三四五六七八九十百]{1,4})\s*[話话集]/gu)) {
    if (/全\s*$/.test(s.slice(0, m.index))) {
      markers.add({ start: m.index - 1, end: m.index + m[0].length, kind: "season", seasons: [] });
      continue;
    }
    const episode = cjkNumber(m[1] ?? m[2]!);
    if (episode !== undefined) markers.add({ start: m.index, end: m.index + m[0].length, kind: "episode", episodes: [episode] });
  }
  // "[TV 04]", "[TV 01-26 Fin]": Chinese release groups number a TV series' episodes in a bracket of their own
  for (const m of s.matchAll(/(?<=\[)TV\s?(\d{1,4})(?:\s?-\s?(\d{1,4}))?(?:\s?Fin)?(?=\])/gi)) {
    const from = Number(m[1]);
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "episode", episodes: m[2] ? range(from, Number(m[2])) : [from] });
  }
  // 14.of.21, 14 of 21, 1of4, Part 1 of 10 (the word before the number is part of the marker, not of the title)
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])(?:(?:part|pt|episode|ep|chapter)[ ._]?)?(\d{1,3})[ ._]?of[ ._]?(\d{1,3})(?![0-9])/giu)) {
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "episode", episodes: [Number(m[1])] });
  }
  // "Show.Name.Part.2.HDTV", "Show Name Pt III PDTV": a part of a broadcast serial, not a film's part (a film has a
  // year: "Some.Film.Part.2.2011"; it is not broadcast-sourced)
  if (TV_SOURCE.test(s) && !/(?<![0-9])(?:19|20)\d\d(?![0-9])/.test(s)) {
    for (const m of s.matchAll(PART_NUMBER)) {
      const n = smallNumber(m[1]!.toLowerCase());
      if (n !== undefined && n > 0) markers.add({ start: m.index, end: m.index + m[0].length, kind: "episode", episodes: [n] });
    }
  }
  // "OVA 01", "SP02", "Special 3": a numbered special, outside the show's numbering, so never an absolute episode
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])(?:OVA|OAD|ONA|SP|Specials?)[ ._-]?(\d{1,3})(?:v\d)?(?![\p{L}\p{N}])/giu)) {
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "episode", episodes: [Number(m[1])] });
  }
  // -x02- : a bonus item; ends the title but is not an episode
  for (const m of s.matchAll(/(?<=[-_ .])x(\d{2})(?=[-_ .]|$)/giu)) {
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "bonus" });
  }
}

const CJK_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "12", "二" (2), "十二" (12), "二十一" (21), "一百" (100): a number in Arabic or Chinese numerals. */
function cjkNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const hundred = /^([一二三四五六七八九]?)百(.*)$/.exec(text);
  if (hundred) {
    const rest = hundred[2] ? cjkNumber(hundred[2].replace(/^零/, "")) : 0;
    return rest === undefined ? undefined : (CJK_DIGITS[hundred[1]!] ?? 1) * 100 + rest;
  }
  const ten = /^([一二三四五六七八九]?)十([一二三四五六七八九]?)$/.exec(text);
  if (ten) return (CJK_DIGITS[ten[1]!] ?? 1) * 10 + (CJK_DIGITS[ten[2]!] ?? 0);
  return text.length === 1 ? CJK_DIGITS[text] : undefined;
}

function findDates(s: string, markers: Markers): void {
  // 15-05-2018, 14.01.2008 (day first) and 15.12.22 (two-digit year first)
  for (const m of s.matchAll(/(?<![0-9])(?:(?:0[1-9]|[12]\d|3[01])([.-])(?:0[1-9]|[12]\d|3[01])\1(?:19|20)\d\d|\d\d\.(?:0[1-9]|1[0-2])\.(?:0[1-9]|[12]\d|3[01]))(?![0-9])/g)) {
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "date" });
  }
  for (const m of s.matchAll(/(?<![0-9])((?:19|20)\d\d)[ ._-]?(0[1-9]|1[0-2])[ ._-]?(0[1-9]|[12]\d|3[01])(?![0-9])/g)) {
    if (m[0].length === 8 || /^\d{4}([ ._-])\d\d\1\d\d$/.test(m[0])) {
      markers.add({ start: m.index, end: m.index + m[0].length, kind: "date" });
    }
  }
}

function findYears(s: string, markers: Markers): void {
  // a run of years, "1993-2004", "(1988 - 89)": the show's first year
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])((?:19|20)\d\d)\s*[-–]\s*((?:19|20)?\d\d)(?![\p{L}\p{N}]|-\d)/gu)) {
    const from = Number(m[1]);
    const to = m[2]!.length === 2 ? Math.floor(from / 100) * 100 + Number(m[2]) : Number(m[2]);
    if (isYear(m[1]!) && to > from && to - from < 100) markers.add({ start: m.index, end: m.index + m[0].length, kind: "year", year: from, run: true });
  }
  for (const m of s.matchAll(/(?<![\p{L}\p{N}])(\d{4})(?![\p{L}\p{N}])/gu)) {
    if (/bt[.]?$/i.test(s.slice(0, m.index))) continue;
    // before 1900 ("The Kiss (1896)") only where nothing else can be meant: in brackets, or last before the technical part
    const early = /^18[7-9]\d$/.test(m[1]!) && (/[[(]\s*$/.test(s.slice(0, m.index)) || /^(?:\s*[\])]|[ ._-]*$|[ ._-]+\d{3,4}[pi](?![\p{L}\p{N}]))/u.test(s.slice(m.index + 4)));
    if (!isYear(m[1]!) && !(early && !markers.list.some((e) => (e.kind === "se" || e.kind === "episode") && e.start < m.index))) continue;
    markers.add({ start: m.index, end: m.index + m[0].length, kind: "year", year: Number(m[1]) });
  }
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokens(s: string): Token[] {
  return [...s.matchAll(/[^\s._[\](){}+,~!/\\-]+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

function isJunk(token: Token, s: string): boolean {
  const t = token.text;
  const lower = t.toLowerCase();
  if (STRONG_JUNK.has(lower)) return true;
  if (JUNK_TOKEN.some((re) => re.test(t))) return true;
  const next = s.slice(token.end, token.end + 4).toLowerCase();
  if ((lower === "web" && next.startsWith("-dl")) || (lower === "blu" && next.startsWith("-ray")) || (lower === "dts" && next.startsWith("-hd")))
    return true;
  if (WEAK_JUNK.has(lower) && t.length > 1) return releaseCase(t, s);
  return false;
}

let shoutingMemo: { s: string; shouting: boolean } | undefined;

/**
 * The name's title is written in capitals ("LE NOM DE LA ROSE 1986 REMASTERED"): then a word in capitals says nothing
 * about being technical. Read from the words before the first technical word or year.
 */
function shouting(s: string): boolean {
  if (shoutingMemo?.s === s) return shoutingMemo.shouting;
  const words: string[] = [];
  for (const token of tokens(s)) {
    const lower = token.text.toLowerCase();
    if (STRONG_JUNK.has(lower) || JUNK_TOKEN.some((re) => re.test(token.text)) || isYear(token.text)) break;
    if (/\p{L}.*\p{L}/u.test(token.text)) words.push(token.text);
  }
  const result = words.length >= 2 && words.every((w) => w === w.toUpperCase());
  shoutingMemo = { s, shouting: result };
  return result;
}

/**
 * Written the way release groups write technical words: all capitals ("GERMAN", unless the whole title is in
 * capitals), or mixed ("MULTi", "iNTERNAL", "FanSub"), never a word's own case ("German", "german").
 */
function releaseCase(t: string, s: string): boolean {
  const mixed = /^[a-z]/.test(t) ? /[A-Z]/.test(t) : t !== t.toUpperCase() && (t.match(/[A-Z]/g)?.length ?? 0) >= 2;
  return mixed || capitals(t, s);
}

/** All capitals in a name whose title is not all capitals. */
function capitals(t: string, s: string): boolean {
  return t === t.toUpperCase() && /\p{Lu}/u.test(t) && !shouting(s);
}

function findJunk(s: string, markers: Markers): Token[] {
  const all = tokens(s);
  const junk = all.map((t) => isJunk(t, s));
  const weak = (i: number): boolean => WEAK_JUNK.has(all[i]?.text.toLowerCase() ?? "");
  for (let i = all.length - 2; i >= 0; i--) {
    // a weak word ("German", "Real") is technical when technical words follow it ("German.DL.1080p"), when another
    // weak word does ("Director.Cut", "Edition.Collector"), or, for a language, when a year does ("French.2011")
    if (junk[i] || !weak(i)) continue;
    const lower = all[i]!.text.toLowerCase();
    // (not before a year in brackets: "Johnny English (2003)" is a title written the library way)
    const next = all[i + 1]!;
    // (nor "Johnny.English.2003": release groups do not name English before the year; nor "The.German.2020", whose
    // title would be an article alone)
    const titleWord = lower === "english" || all.slice(0, i).every((t) => ONLY_ARTICLE.test(t.text));
    const languageBeforeYear = LANGUAGE_WORDS.has(lower) && !titleWord && isYear(next.text) && !/[[(]\s*$/.test(s.slice(0, next.start));
    if (junk[i + 1] || weak(i + 1) || languageBeforeYear) junk[i] = true;
  }
  // "The.Darjeeling.Limited.2007", "Internal.Affairs.1990": a flag that is also a word, in the title's own case
  // and before the year, is the title's (not "Movie.LIMITED.2007", "Movie.2007.Limited", "Movie.Extended.Edition")
  const firstYear = all.findIndex((t) => isYear(t.text));
  all.forEach((token, i) => {
    if (!junk[i] || i >= firstYear || !FLAG_WORDS.has(token.text.toLowerCase()) || releaseCase(token.text, s)) return;
    if (!junk[i + 1] && !weak(i + 1)) junk[i] = false;
  });
  // "Some Title 3D Paradise": 3D with more title after it is the title's, and so it is before a year in brackets,
  // as a language word is ("Some Title 3D (2012)"; not "Title.3D.1080p", "Title.3D.2010")
  all.forEach((token, i) => {
    const next = all[i + 1];
    if (!junk[i] || token.text.toLowerCase() !== "3d" || !next) return;
    const yearInBrackets = isYear(next.text) && /^\s*[[(]\s*$/.test(s.slice(token.end, next.start));
    if ((!junk[i + 1] && /^\p{L}/u.test(next.text)) || yearInBrackets) junk[i] = false;
  });
  markEditionPhrases(all, junk, s);
  all.forEach((token, i) => {
    if (token.start > 0 && junk[i]) markers.add({ start: token.start, end: token.end, kind: "junk" });
  });
  return all;
}

/**
 * Words that say what a release holds besides the film, after the film's title: "Film.15th.Anniversary.Edition",
 * "Film.Director.s.Cut", "Film.Extras.Only.2022", "Film 2002 Bonus 1080p". Not at the start of a name ("Extras.S01E01" is a show, "The
 * Extras 2015" a film), and "Extras"/"Bonus" only where the title cannot go on: before a year, a technical word, or
 * "Only"/"Disc".
 */
function markEditionPhrases(all: Token[], junk: boolean[], s: string): void {
  for (let i = 1; i < all.length; i++) {
    const word = all[i]!.text.toLowerCase();
    const next = all[i + 1];
    if (word === "anniversary" && /^\d{1,3}(?:st|nd|rd|th)$/i.test(all[i - 1]!.text) && i > 1) {
      junk[i - 1] = true;
      junk[i] = true;
    } else if (word === "director" && /^s$/i.test(next?.text ?? "") && /^cut$/i.test(all[i + 2]?.text ?? "")) {
      // "Director.s.Cut": the apostrophe written as a dot
      junk.fill(true, i, i + 3);
    } else if ((word === "extras" || word === "bonus") && !(i === 1 && ONLY_ARTICLE.test(all[0]!.text))) {
      const companion = next !== undefined && /^(?:only|disc|features?)$/i.test(next.text);
      if (next !== undefined && (junk[i + 1] || companion || isYear(next.text) || WEAK_JUNK.has(next.text.toLowerCase()) || capitals(all[i]!.text, s))) {
        junk[i] = true;
        if (companion) junk[i + 1] = true;
      }
    }
  }
}

/**
 * "Film (2021)(2160p.WEBRip.x265.crf18.S97.AC3)": a season letter alone after the year and the technical words is an
 * encoder's setting or a tag, not a season. A show's season comes before the technical part ("Show 2019 S02 1080p").
 */
function dropLateSeasonLetters(markers: Markers): void {
  const year = Math.min(...markers.list.filter((m) => m.kind === "year").map((m) => m.start));
  const technical = Math.min(...markers.list.filter((m) => m.kind === "junk" && m.start > year).map((m) => m.start));
  if (!Number.isFinite(technical)) return;
  for (let i = markers.list.length - 1; i >= 0; i--) {
    const m = markers.list[i]!;
    if (m.lone && m.start > technical) markers.list.splice(i, 1);
  }
}

const RESOLUTION_NUMBER = /^(?:480|576|720|1080|2160)$/;
/** Words and abbreviations for "episode" or "season" that say a bracket's number is one ("(05 сер.)", "(8 sez 21 ser)"). */
const EPISODE_WORD = /(?<![\p{L}])(?:ep|eps|episodes?|ser|seri[aijy]a?|sez|sezon|сер|сери[яи]|сезон|folge|cap|capitulo)(?![\p{L}])/iu;

interface BareCandidate {
  token: Token;
  index: number;
  /** After " - ": "Show - 05". */
  afterDash: boolean;
  /** Nothing title-like follows: the end, a bracket, " - ", or technical words. */
  boundaryAfter: boolean;
}

/**
 * Bare episode numbers: "Show 13", "One_Piece_679_", "Duckman - 101 (01)", "the.simpsons.2401", "493-498.&.500-507",
 * "4-12 - Title" (season 4, episode 12). Of several numbers, one after " - " that ends the name part wins ("Mob
 * Psycho 100 - 09", "Show - 100 Years - 05"); after a season marker, numbers before it are the title's ("Show 00 S2 -
 * 01"); a number followed by more title and then a year is the title's ("4.20.Title.2018").
 */
function findBareNumbers(s: string, markers: Markers, all: Token[], anime: boolean): { leadingEnd?: number } {
  if (markers.has("se", "episode")) return {};
  const seasonMarker = markers.list.find((m) => m.kind === "season");
  const absoluteAllowed = seasonMarker === undefined;
  const firstJunk = Math.min(...markers.list.filter((m) => m.kind === "junk" || m.kind === "bonus" || m.kind === "date").map((m) => m.start), s.length);
  // "4-12 - Title", "2-06. Title": season and episode
  const seasonEpisode = /^(\d)-(\d{2})(?=\s*-\s+|\.\s+|\s+\S|$)/.exec(s);
  if (seasonEpisode && !seasonMarker) {
    markers.list.push({ start: 0, end: seasonEpisode[0].length, kind: "bare", seasons: [Number(seasonEpisode[1])], episodes: [Number(seasonEpisode[2])] });
    const rest = /^\s*-?\s*\.?\s*/.exec(s.slice(seasonEpisode[0].length))![0].length;
    return { leadingEnd: seasonEpisode[0].length + rest };
  }
  const leading = /^(\d{2,3})(?:-(\d{2,3}))?(?:v\d)?(?:\s*-\s+|\.\s+|_|-(?=\p{L})|\s+(?=\S))/iu.exec(s);
  // "47 Ronin", "12 Angry Men": a number and a space before words is a title, not an episode (but "[Grp] 05 Title",
  // "02 Title": an episode's number is padded)
  if (leading && !seasonMarker && (anime || !/^[1-9]\d*\s+\p{L}/u.test(s) || /\s-\s/.test(leading[0]))) {
    const rest = s.slice(leading[0].length);
    // "300 (2006)", "300 - 2 (2006)": a number at the start of a name with a year is the title
    const withYear = markers.list.some((m) => m.kind === "year" && m.start >= leading[0].length);
    if (!withYear && rest.trim() !== "") {
      const from = Number(leading[1]);
      const episodes = leading[2] ? range(from, Number(leading[2])) : [from];
      markers.list.push({ start: 0, end: leading[0].length, kind: "bare", episodes, absolute: anime });
      return { leadingEnd: leading[0].length };
    }
  }
  const years = markers.list.filter((m) => m.kind === "year");
  const candidates: BareCandidate[] = [];
  for (let i = 0; i < all.length; i++) {
    const token = all[i]!;
    if (token.start === 0) continue;
    if (seasonMarker && token.start < seasonMarker.end) continue;
    const m = /^(\d{2,4})(?:v\d)?$/i.exec(token.text);
    if (!m || markers.overlaps(token.start, token.end)) continue;
    const next = all[i + 1];
    const before = s.slice(0, token.start);
    const after = s.slice(token.end);
    const afterDash = /[ ._]-[ ._]*$/.test(before);
    const boundaryAfter = /^\s*(?:$|[[(]|-\s|[ ._-]*$)/.test(after) || (next !== undefined && isJunk(next, s));
    // after the technical part only "[Group] Show (DVD) - 05 [x264]" (anime numbering) still counts
    if (token.start >= firstJunk && !(afterDash && boundaryAfter && !RESOLUTION_NUMBER.test(m[1]!))) continue;
    const adjacent = next !== undefined && /^[ ._([-]*$/.test(s.slice(token.end, next.start));
    // "Apollo 13 (1995)": a number before the year is the title's; so is the first of two numbers ("the.100.109")
    if (adjacent && !afterDash && isYear(next.text)) continue;
    if (!afterDash && next && /^[ ._]+$/.test(s.slice(token.end, next.start)) && /^\d{2,4}(?:v\d)?$/i.test(next.text) && !isYear(next.text) && next.start < firstJunk && !RESOLUTION_NUMBER.test(next.text)) continue;
    // "320 Kbps", "24 fps": a quantity, not an episode; "1080" beside technical words is the resolution
    if (next && /^(?:kbps|mbps|fps|bit|bits|ch|gb|mb|min)$/i.test(next.text)) continue;
    if (RESOLUTION_NUMBER.test(m[1]!) && !afterDash && ((next !== undefined && isJunk(next, s)) || /(?:BD|\[)[ ._-]*$/i.test(before))) continue;
    // "Title 1.11", "Title 3.33": a version number
    if (/(?<![\d.])\d\.$/.test(before)) continue;
    // "4.20.Some.Title.2018": more title, then the year: the number is the title's
    const inBrackets = (before.match(/[([]/g)?.length ?? 0) > (before.match(/[)\]]/g)?.length ?? 0);
    // "(Short Term 12)", "(127 Hours)": a number inside a bracket of words is another title's (not "(05 сер.)")
    // "(500) Days of Something": a number alone in a bracket that starts the name, before words, is the title's
    if (/^[([]\s*$/.test(before) && /^\s*[)\]]\s*\p{L}/u.test(after)) continue;
    if (inBrackets) {
      const open = Math.max(before.lastIndexOf("("), before.lastIndexOf("["));
      const close = after.search(/[)\]]/);
      const inside = `${before.slice(open + 1)} ${close >= 0 ? after.slice(0, close) : ""}`;
      const amongWords = /\p{L}{2,}/u.test(before.slice(open + 1)) || /^\s+\p{L}{2,}/u.test(after);
      if (amongWords && !EPISODE_WORD.test(inside)) continue;
    }
    if (!afterDash && !inBrackets && years.some((y) => y.start > token.end && /\p{L}/u.test(s.slice(token.end, y.start)) && !/\s-\s/.test(s.slice(token.end, y.start)))) continue;
    candidates.push({ token, index: i, afterDash, boundaryAfter });
  }
  const chosen = candidates.find((c) => c.afterDash && c.boundaryAfter) ?? candidates[0];
  if (!chosen) return {};
  const { token } = chosen;
  const digits = /^\d+/.exec(token.text)![0];
  let end = token.end;
  let episodes: number[];
  let seasons: number[] | undefined;
  const rangeFollows = /^-\d{3}(?!\d)/.test(s.slice(token.end));
  const absolute = absoluteAllowed && (anime || (digits.length === 3 && rangeFollows));
  if (anime || seasonMarker || digits.length === 2 || (digits.length === 3 && (digits.startsWith("0") || rangeFollows))) {
    episodes = [Number(digits)];
  } else {
    const n = Number(digits);
    const season = Math.floor(n / 100);
    if (digits.length === 4 && (season > 30 || n % 100 > 40)) return {};
    seasons = [season];
    episodes = [n % 100];
  }
  if (episodes.length === 1 && !seasons) {
    // ranges and lists: "13-16", "493-498.&.500-507"
    // "01 ~ 12" and, at the end of the name part, "01 - 12" are ranges too
    const tail = /^(?:(?:-|\s*~\s*|\s+-\s+(?=\d{2,4}(?:v\d)?\s*(?:$|[[(])))(\d{2,4})(?:v\d)?|[ ._]*[&+][ ._]*(\d{2,4})(?:-(\d{2,4}))?)/i;
    for (;;) {
      const t = tail.exec(s.slice(end));
      if (!t) break;
      const last = episodes[episodes.length - 1]!;
      if (t[1] && Number(t[1]) <= last) break;
      if (t[1]) episodes.push(...range(last + 1, Number(t[1])));
      else if (t[3]) episodes.push(...range(Number(t[2]), Number(t[3])));
      else episodes.push(Number(t[2]));
      end += t[0].length;
    }
  }
  markers.add({ start: token.start, end, kind: "bare", episodes, absolute, ...(seasons ? { seasons, split: Number(digits) } : {}) });
  return {};
}

/** Stands in for the dots of an acronym while the other dots become spaces. */
const ACRONYM_DOT = "\u2024";
/** Stand in for brackets that belong to the title while the others are set aside. */
const OPEN_KEPT = "\u2045";
const CLOSE_KEPT = "\u2046";

const ARTICLE_SUFFIX = /^(.*?),\s*(the|a|an|le|la|les|der|die|das|el)$/i;

/** Turns raw title text into a title: separators to spaces, brackets and "- subtitle" parts set aside. */
export interface CleanTitle {
  /** The first part of the name: "Show" in "Show - Subtitle". */
  title?: string;
  /** The whole name when it has parts ("Show - Subtitle"), else undefined. */
  whole?: string;
  alternatives: string[];
}

const LATIN = /\p{Script=Latin}/u;
const OTHER_SCRIPT = /(?!\p{Script=Latin})\p{L}/u;

/**
 * "Skins Season", "The Sopranos: The Complete Series": words that describe the release, not the title ("All" or
 * "Full" alone are the title's: "Bones and All", "Paid in Full").
 */
const RELEASE_TAIL = /[\s:,-]+(?:the\s+)?(?:complete(?:\s+(?:series|seasons?|collection))?|(?:full|all)\s+(?:series|seasons?|collection))$/i;
/** "Skins Season S01-S07": the word before a season marker; before a year it is the title's ("Happiest Season 2020"). */
const SEASON_WORD_TAIL = /\s+(?:all\s+)?seasons?$/i;

/** "Rambo Collection", "Trilogie Robocop", "Batman l'Integrale": a set of films; the title is the films' name. */
const COLLECTION_WORD = String.raw`(?:l['’]\s?)?(?:collection|trilog(?:y|ie)|duolog(?:y|ie)|quadrilog(?:y|ie)|tetralogy|pentalogy|hexalogy|heptalogy|octalog(?:y|ie)|int[eé]grale|coffret|box\s?set)`;
const COLLECTION_TAIL = new RegExp(String.raw`\s+(?:(?:the|complete|ultimate|fan|(?:all|\d+)\s+(?:movies?|films?))\s+)*${COLLECTION_WORD}$`, "i");
const COLLECTION_HEAD = new RegExp(String.raw`^${COLLECTION_WORD}\s+(?=\S)`, "i");
/** "Some Films 1,2,3", "SOME FILMS 1-2-3", "Some Film 1&2": the films of a series by their numbers, counting up. */
const NUMBER_LIST = /\s+[1-9](?:\s*[,&+-]\s*[1-9])+$/;
function dropNumberedSet(title: string): string {
  const list = NUMBER_LIST.exec(title);
  const numbers = list?.[0].match(/\d/g)?.map(Number) ?? [];
  return list && numbers.every((n, i) => n === (numbers[0] ?? 0) + i) ? title.slice(0, list.index) : title;
}
const ONLY_ARTICLE = /^(?:the|a|an|le|la|les|l['’]|der|die|das|el)?$/i;

const FILM_SET = new RegExp(String.raw`(?<![\p{L}])${COLLECTION_WORD}(?![\p{L}])|\s[1-9](?:\s*[,&+-]\s*[1-9])+(?![\p{L}\p{N}])`, "iu");

/** The name is that of a set of films ("Some Films Trilogy (2009) 720p", "Some Films 1,2,3"). */
export function namesFilmSet(name: string): boolean {
  return FILM_SET.test(name.replace(/[._]/g, " "));
}

function dropCollection(title: string): string {
  const cut = dropNumberedSet(title.replace(COLLECTION_TAIL, "").replace(COLLECTION_HEAD, "")).trim();
  return ONLY_ARTICLE.test(cut) ? title : cut;
}

function tidy(part: string, keepSeasonWord = false): string {
  let title = part.replace(/^[\s\-–:,;~'"#]+|[\s\-–:,;~#]+$/g, "").replace(/\s+/g, " ");
  title = dropCollection(title.replace(/\s+(?:ep|episode)\.?$/i, "").replace(RELEASE_TAIL, ""));
  if (!keepSeasonWord) title = title.replace(SEASON_WORD_TAIL, "");
  title = title.trim();
  const article = ARTICLE_SUFFIX.exec(title);
  if (article) title = `${article[2]} ${article[1]}`;
  return title;
}

/**
 * Turns raw title text into a title: separators to spaces, brackets and "- subtitle" parts set aside. Of several
 * names of one thing ("Черное зеркало / Black Mirror", "超能警探.Memorist") the one in Latin script is the title:
 * that is the one Trakt's search knows best; the others are kept as alternatives. `beforeYear`: the year follows the
 * title, so a last "Season" is the title's ("Happiest Season 2020"), not a release's description.
 */
export function cleanTitle(raw: string, { beforeYear = false }: { beforeYear?: boolean } = {}): CleanTitle {
  const alternatives: string[] = [];
  let text = raw;
  // dots and underscores are separators, except inside acronyms (S.W.A.T., kept as written: that is how Trakt
  // knows them) and numbers (2.0)
  text = text.replace(/(?<![\p{L}\p{N}])((?:\p{Lu}\.){2,}\p{Lu}?|\p{Lu}\.\p{Lu})(?![\p{L}])/gu, (a: string) => `${a.replace(/\./g, ACRONYM_DOT)} `);
  text = text.replace(/(?<!\d)\.|\.(?!\d)|_/g, " ").replaceAll(ACRONYM_DOT, ".");
  text = text.replace(/[\s]+/g, " ");
  // brackets glued to a word belong to the title: "(T)error", "Mezzo(DSA)"; so do brackets with more title after
  // them: "You Are (Not) Alone", "Show (REVERSE) - Subtitle"
  text = text.replace(/(?<=[\p{L}\p{N}])[[(][^\])\s]+[\])]|[[(][^\])\s]+[\])](?=[\p{L}\p{N}])|[[(][^\])[(]+[\])](?=\s+\p{L})/gu, (b: string) =>
    b.replace(/[[(]/, OPEN_KEPT).replace(/[\])]$/, CLOSE_KEPT),
  );
  const bracketed: string[] = [];
  for (const m of text.matchAll(/[[(]([^\])]*)[\])]/g)) if (m[1]!.trim()) bracketed.push(m[1]!.trim());
  text = text.replace(/[[(][^\])]*[\])]/g, " ");
  text = text.replace(/[[(].*$/, " ").replaceAll(OPEN_KEPT, "(").replaceAll(CLOSE_KEPT, ")");
  // names of one thing, "A / B", "A aka B": the first in Latin script leads
  const names = text.split(/\s*\/\s*|\s+(?:aka|AKA|a\.k\.a\.?|a k a)\s+/).map((n) => n.trim()).filter((n) => ALNUM.test(n));
  const lead = names.find((n) => LATIN.test(n)) ?? names[0] ?? "";
  alternatives.push(...names.filter((n) => n !== lead));
  let main = lead;
  // a name in another script before the Latin one: "超能警探 Memorist", "تركي مترجم Last Call for Istanbul"
  const words = main.split(" ");
  let firstLatin = words.findIndex((w) => LATIN.test(w));
  // a number right before the Latin name is its own ("21座桥-英语.21.Bridges")
  while (firstLatin > 0 && /^\d+$/.test(words[firstLatin - 1]!) && words.slice(0, firstLatin - 1).some((w) => OTHER_SCRIPT.test(w))) firstLatin--;
  if (firstLatin > 0 && words.slice(0, firstLatin).every((w) => !LATIN.test(w)) && words.slice(0, firstLatin).some((w) => OTHER_SCRIPT.test(w))) {
    alternatives.push(words.slice(0, firstLatin).join(" "));
    main = words.slice(firstLatin).join(" ");
  }
  const parts = main.split(/\s+-\s+|\s*--+\s*|\s-$|^-\s/).map((p) => p.trim()).filter((p) => ALNUM.test(p));
  const result: CleanTitle = { alternatives };
  const first = parts[0] === undefined ? "" : tidy(parts[0], beforeYear);
  // a title in another script with a Latin one in brackets: "О мышах и людях (Of Mice and Men)"
  const latinBracket = first && !LATIN.test(first) ? bracketed.find((b) => LATIN.test(b) && /\p{L}{2,}.*\s.*\p{L}{2,}/u.test(b) && !/\d/.test(b)) : undefined;
  if (latinBracket !== undefined) {
    result.title = tidy(latinBracket);
    alternatives.unshift(first);
  } else if (first) {
    result.title = first;
  }
  if (parts.length > 1) {
    const whole = tidy(parts.join(" - "), beforeYear);
    result.whole = whole;
    // "Mission Impossible - Dead Reckoning Part One": the whole name is often the real title, so it comes first
    alternatives.unshift(whole);
  }
  alternatives.push(...parts.slice(1), ...bracketed.filter((b) => b !== latinBracket));
  return result;
}

/** A bracketed tag that says nothing about the title: technical words, numbers, checksums. */
function technicalGroup(text: string): boolean {
  const all = tokens(text);
  return all.length > 0 && all.every((t) => isJunk(t, text) || /^\d+$/.test(t.text) || /^[0-9A-F]{8}$/i.test(t.text) || RESOLUTION_NUMBER.test(t.text));
}

/** What Chinese and Japanese release names put in brackets besides the title: the group, a category, the subtitles. */
const CJK_GROUP_TAG = /(?:字幕[组組社]|[发發]布[组組]|[压壓]制[组組]|[组組社])$/u;
const CJK_CATEGORY = /新番|月番|[日美韩韓英泰港台国國陆陸]剧|[日美国國]漫|[动動][漫画畫]|[纪紀][录錄]片|[综綜]艺|[电電]影|剧场版|劇場版/u;
const CJK_SUBTITLES = /[简繁簡]体|[简繁簡]中|[简繁簡]日|中字|中文|[国國粤粵]语|[双雙][语語]|[内內][封嵌]|外挂|字幕|招募/u;

/** A bracket that holds a title in Chinese or Japanese script alone: "[我家大师兄脑子有坑]", not "[国漫]" or "[简体]". */
function cjkTitleGroup(text: string): boolean {
  return OTHER_SCRIPT.test(text) && !LATIN.test(text) && !/\d/.test(text) && !CJK_GROUP_TAG.test(text) && !CJK_CATEGORY.test(text) && !CJK_SUBTITLES.test(text);
}

/** Words in Latin letters first, then a year, an episode marker or a technical word: "Irish.Blood.S01E04.1080p-GRP". */
function readsLikeReleaseName(text: string): boolean {
  const all = tokens(text);
  const first = all[0];
  if (all.length < 3 || !first || !LATIN.test(first.text) || isJunk(first, text)) return false;
  return /(?<![\p{L}\p{N}])(?:S\d{1,2}(?:E\d{1,4})?|(?:19|20)\d\d)(?![\p{L}\p{N}])/iu.test(text) || all.some((t) => isJunk(t, text));
}

/**
 * A name whose title is in one of its leading brackets: "[Group][Title][01][1080p]", "[Title].148.[x264]",
 * "[Group][国漫][Title][2019][17]". The title is the first bracket with Latin letters that is not technical, after
 * the group's tag when there are several. Returns the name rewritten to start with that title, or undefined.
 */
function titleFromBrackets(groups: string[], rest: string): string | undefined {
  const candidates = groups
    .map((text, index) => ({ text, index }))
    // an uploader's tag ("[jsum@U2]") is no title
    .filter((g) => LATIN.test(g.text) && !technicalGroup(g.text) && !/\S@\S/.test(g.text));
  // the first bracket in Latin letters is the group's tag ("[SubGroup]", "[地区][UHA-WINGS]", one word) unless it
  // reads like a title
  const tagFirst = candidates.length >= 2 && !/[\s._]/.test(candidates[0]!.text.trim());
  const chosen = (tagFirst ? candidates[1] : candidates[0]) ?? groups.map((text, index) => ({ text, index })).find((g) => cjkTitleGroup(g.text));
  if (!chosen) return undefined;
  // the brackets after it, but not names in other scripts; those with numbers stay ("[全10集]", "[第01话]")
  // a year in an earlier bracket is the title's ("[2018][国产动漫][Title][全26集]")
  const earlierYears = groups.slice(0, chosen.index).filter((g) => /^(?:19|20)\d\d$/.test(g));
  const later = [...earlierYears, ...groups.slice(chosen.index + 1).filter((g) => LATIN.test(g) || !OTHER_SCRIPT.test(g) || /\d/.test(g))];
  return `${chosen.text} ${later.map((g) => `[${g}]`).join(" ")} ${rest}`;
}

/**
 * "Show.Special.720p", "[Grp] Show - OVA": an episode outside the numbering. Not a special edition of a film
 * ("SPECIAL.EXTENDED.EDITION", "Special Assembly Cut"), nor a word of another title in brackets ("(Agent Trop Special)").
 */
function specialMarked(rest: string): boolean {
  for (const m of rest.matchAll(/(?<![\p{L}])(special|OVA|ONA|OAD)(?![\p{L}])/giu)) {
    if (/^special$/i.test(m[1]!) && /^[ ._-]*(?:edition|ed|extended|assembly|cut|version|features?)(?![\p{L}])/iu.test(rest.slice(m.index + m[0].length))) continue;
    const open = Math.max(rest.lastIndexOf("(", m.index), rest.lastIndexOf("[", m.index));
    const inBracket = open > Math.max(rest.lastIndexOf(")", m.index), rest.lastIndexOf("]", m.index));
    if (inBracket && /\p{L}{2,}[ ._]+\p{L}{2,}/u.test(rest.slice(open + 1, m.index))) continue;
    return true;
  }
  return false;
}

const SEQUEL_AFTER_DASH = /\s-\s(?:(?:part|pt\.?|chapter|vol(?:ume)?\.?)\s*)?(?:\d{1,2}|[IVX]{1,4}|one|two|three|four|five)$/i;

export function parseSegment(input: string): SegmentParse {
  return parseText(input.trim().slice(0, 300), false);
}

function parseText(input: string, fromBrackets: boolean): SegmentParse {
  // file systems cap a name at 255 bytes; anything longer is not a file name, and the rules are not linear
  let s = input;
  // "[ Whole Name In Brackets ]"
  const wrapped = /^\[\s*([^[\]]+?)\s*\]$/.exec(s);
  if (wrapped) s = wrapped[1]!;
  // a site or tracker before the name: "www.Site.net - ", "www Site tel - ", "[ Site.my ]", "{WWW.SITE.TV}",
  // "[… www.site.com]" (not a release group: a group's tag has no domain)
  s = s.replace(/^\s*w{2,3}[.,\s]+[\w-]+[.\s]+[a-z]{2,6}\s*[-_]+\s*/i, "");
  s = s.replace(/^\s*[[{(]\s*(?:(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}|[^\]})]*\bwww\.[^\]})]*)\s*[\]})][\s_-]*/i, "");
  // leading release-group tags: [Group], [BD][1080p], (Group), and text in other scripts between them (parseMediaName
  // has made 【Group】 and 「Group」 square)
  let anime = fromBrackets;
  const groups: string[] = [];
  for (;;) {
    const g = /^\s*\[([^\]]*)\][\s._-]*/.exec(s);
    if (!g || g[0].length >= s.length) break;
    anime = true;
    groups.push(g[1]!.trim());
    s = s.slice(g[0].length);
    const between = /^[^[\]]+?(?=\[)/.exec(s);
    // (not a title with its episode: "[ANi] 處刑少女的生存之道 - 07 [1080P]")
    const titleAndEpisode = /\s-\s*\d{1,4}(?:v\d)?\s*$/.test(between?.[0] ?? "");
    if (between && !titleAndEpisode && !LATIN.test(between[0]) && (OTHER_SCRIPT.test(between[0]) || !/[\p{L}\p{N}]/u.test(between[0]))) s = s.slice(between[0].length);
  }
  // "[地区][中文名][Latin.Release.Name.S01E04.1080p-GRP]": after the tags, the release name in a bracket of its own
  const lastWrapped = groups.length > 0 ? /^\s*\[\s*([^[\]]+?)\s*\]\s*$/.exec(s) : null;
  if (lastWrapped && readsLikeReleaseName(lastWrapped[1]!)) s = lastWrapped[1]!;
  // what follows the brackets, before any later rule rewrites it (a group tag cut off the end, spaces for "+")
  const afterBrackets = s;
  // site tags: "From [ WWW.SITE.COM ] - ", "[tvu.org.ru]", "[www.site.com]"
  s = s.replace(/^(?:from\s*)?[[(]\s*(?:www\.)?[\w-]+\.(?:com|org|net|ru|to|tv|info|me|cc|fr)(?:\.\w{2,3})?\s*[\])]\s*-?\s*/i, "");
  s = s.replace(/[[(]\s*(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ru|to|tv|info|me|cc|fr)\s*[\])]/gi, " ").trim();
  // "{2014}", "{tmdb-12345}": curly brackets are brackets like the others
  s = s.replace(/\{([^{}]*)\}/g, "($1)");
  // leading technical words before a separator: "h265 - HEVC Riddick…", "HD 720p: Some series…" (a flag that is
  // also a word starts a title: "Uncut.Gems.2019", "xXx.State.of.the.Union")
  const beforeLead = s;
  for (;;) {
    const lead = /^([^\s._:-]+)(?:\s*[-:]\s*|[ ._]+)/.exec(s);
    if (!lead || (LEADING_FLAG_WORDS.has(lead[1]!.toLowerCase()) && !capitals(lead[1]!, s)) || !isJunk({ text: lead[1]!, start: 0, end: lead[1]!.length }, s) || lead[0].length >= s.length) break;
    s = s.slice(lead[0].length);
  }
  // "VHS - [1080p-BrRip] [MULTI]": when only technical words would be left, the first word was the title
  const leftBeforeBrackets = s.split(/[[(]/)[0]!;
  if (s !== beforeLead && tokens(leftBeforeBrackets).every((t) => isJunk(t, leftBeforeBrackets))) s = beforeLead;
  s = s.replace(/^video_ts[-_. ]+/i, "");
  // "Some.Film.Title-GRP": a release group's tag after the last word of a dotted name with nothing technical
  // (not "Spider-Man", "X-Men": a tag is in capitals after a word that is not)
  if (!/\s/.test(s)) s = s.replace(/(?<=\.[\p{Lu}\p{N}]?[\p{Ll}\p{N}]*\p{Ll}[\p{Ll}\p{N}]*)-[\p{Lu}\p{N}]*\p{Lu}[\p{Lu}\p{N}]+$/u, "");
  // "Title+Episode+3": some tools write spaces as "+"
  if (!/\s/.test(s) && /\p{L}\+\p{L}/u.test(s)) s = s.replace(/\+/g, " ");
  // "(2000) Title - Other Title (…)": a leading year in brackets is the year, not the title
  // "1966 - Title", "1990-Title": a year, then a dash and a title, with no other year: the year the library sorts by
  const leadingYear = /^\(\s*((?:19|20)\d\d)\s*\)\s*(?=\p{L})|^((?:19|20)\d\d)\s*-\s*(?=\p{L})(?!.*(?<!\d)(?:19|20)\d\d(?!\d))/u.exec(s);
  if (leadingYear) s = `${s.slice(leadingYear[0].length)} (${leadingYear[1] ?? leadingYear[2]})`;
  // "(1)First Film (2009)", "(2) Second Film": a film's place in its set, not its title ("(500) Days…" is a title)
  s = s.replace(/^\(\s*\d{1,2}\s*\)\s*(?=\p{L})/u, "");
  // leading dd.mm.yy or yyyy.m.d date (a download date, not part of the title); before an episode marker it is the
  // title ("11.22.63.S01E02")
  s = s.replace(/^(?:\d\d\.\d\d\.\d\d|(?:19|20)\d\d([.-])\d{1,2}\1\d{1,2})[ ._-]+(?=\p{L})(?!S\d{1,4}[ ._-]?E\d)/iu, "");
  // Chinese and Japanese write no spaces: a technical word glued to the title ("人工智能4K REMUX", "思维覆写1080p简中")
  s = s.replace(/(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])([248]K|\d{3,4}[pi])(?![A-Za-z0-9])/giu, " $1 ");

  const markers = new Markers();
  findDates(s, markers);
  findEpisodeMarkers(s, markers);
  findYears(s, markers);
  const all = findJunk(s, markers);
  dropLateSeasonLetters(markers);
  const { leadingEnd } = findBareNumbers(s, markers, all, anime);

  // years: a year at the very start is the title ("2001 A Space Odyssey 1968"); of two years in a row, the first
  // belongs to the title ("Wonder Woman 1984 2020").
  const years = markers.list.filter((m) => m.kind === "year").sort((a, b) => a.start - b.start);
  const titleStart = leadingEnd ?? 0;
  const inBrackets = (y: Marker): boolean => /[[(]\s*$/.test(s.slice(0, y.start));
  // a year in brackets is the year: numbers before it belong to the title ("Wonder Woman 1984 (2020)")
  const bracketYear = years.find((y) => y.start > titleStart && inBrackets(y));
  const yearMarkers = years.filter((y, i) => {
    if (y.start <= titleStart) return false;
    if (bracketYear && y.start < bracketYear.start && !inBrackets(y) && !markers.list.some((m) => m.kind !== "year" && m.start < y.start)) return false;
    const next = years[i + 1];
    return !(next && /^[ ._-]*$/.test(s.slice(y.end, next.start)) && y.start > titleStart);
  });
  const titleEnders = markers.list.filter(
    (m) => m.kind !== "year" && m.kind !== "bare" && !m.withinTitle && (m.start > titleStart || (m.start === titleStart && m.kind !== "junk")),
  );
  const bare = markers.list.filter((m) => m.kind === "bare");
  const enders = [...titleEnders, ...yearMarkers, ...bare.filter((m) => m.start > 0)];
  const titleEnd = Math.min(s.length, ...enders.map((m) => m.start));
  const cleaned = cleanTitle(s.slice(titleStart, titleEnd), { beforeYear: yearMarkers.some((y) => y.start === titleEnd) });

  const seasons: number[] = [];
  const episodes: number[] = [];
  let absolute = false;
  for (const m of [...markers.list].sort((a, b) => a.start - b.start)) {
    if (m.kind === "year" || m.kind === "junk" || m.kind === "date" || m.kind === "bonus") continue;
    if (m.seasons && seasons.length === 0) seasons.push(...m.seasons);
    if (m.episodes && episodes.length === 0) episodes.push(...m.episodes);
    if (m.absolute) absolute = true;
  }
  // the year: one in brackets wins, else the first one that ends the title, else the last one seen
  // in an episode name, a year after the episode marker belongs to the episode title ("2000 Light Years from Home")
  const firstEpisodeMarker = Math.min(
    s.length,
    ...markers.list.filter((m) => m.kind === "se" || m.kind === "episode").map((m) => m.start),
  );
  const episodeMarkerEnds = markers.list.filter((m) => m.kind === "se" || m.kind === "episode").map((m) => m.end);
  const usable = (yearMarkers.length > 0 ? yearMarkers : years.filter((y) => y.start > titleStart)).filter(
    (y) =>
      y.start < firstEpisodeMarker ||
      episodeMarkerEnds.some((end) => /^[ ._]*$/.test(s.slice(end, y.start))) ||
      inBrackets(y),
  );
  const bracketed = usable.find(inBrackets);
  const yearMarker = bracketed ?? usable[0];
  const year = yearMarker?.year;
  const parsed: SegmentParse = {
    alternatives: cleaned.alternatives,
    seasons,
    episodes,
    absolute,
    episodic:
      markers.has("se", "season", "episode", "bare") ||
      specialMarked(s.slice(titleEnd)),
    releaseLike: markers.has("junk"),
    dated: markers.has("date"),
  };
  if (cleaned.title !== undefined) parsed.title = cleaned.title;
  const split = markers.list.find((m) => m.split !== undefined)?.split;
  if (split !== undefined) parsed.split = split;
  if (leadingEnd !== undefined) parsed.leadingNumber = true;
  // "[Group] Show - Subtitle - 05": anime titles often have " - " inside, and the number after the last one is the
  // episode; "[Group] Show the Movie 2 - Subtitle [1080p]", with no number and no year, is a film, subtitle and all.
  // The first part stays an alternative.
  const bareAfterDash = bare.some((m) => m.start > 0 && /[ ._]-[ ._]*$/.test(s.slice(0, m.start)));
  const animeFilm = !parsed.episodic && !parsed.dated && years.length === 0;
  if (cleaned.whole !== undefined && anime && (bareAfterDash || animeFilm)) {
    if (cleaned.title !== undefined && !parsed.alternatives.includes(cleaned.title)) parsed.alternatives.push(cleaned.title);
    parsed.title = cleaned.whole;
  }
  // "Star Trek - The Next Generation - 1x02", "CSI - Miami S01E02": a show's name written with " - " where Trakt has
  // a colon, when the episode marker follows the name. The first part stays an alternative.
  // (not after a bracket: "Show (US) - Episode Title S02E09")
  const markerAfterName = markers.list.some((m) => m.kind === "se" && m.start === titleEnd) && !/[)\]][ ._]*-[ ._]/.test(s.slice(titleStart, titleEnd));
  if (cleaned.whole !== undefined && !anime && markerAfterName && !SEQUEL_AFTER_DASH.test(cleaned.whole)) {
    if (cleaned.title !== undefined && !parsed.alternatives.includes(cleaned.title)) parsed.alternatives.unshift(cleaned.title);
    parsed.title = cleaned.whole;
  }
  // "Star Wars - Return of the Jedi (1983)", "Mission - Impossible - Fallout (2018)": a film's name written with " - "
  // where Trakt has a colon or a dash (file names cannot hold a colon; library tools write " - " for it). Everything
  // before the year is the title; the part before the first dash stays an alternative (two names of one film,
  // "Der Untergang - La Chute 2004", are found by it). A language code before the dash is not the title's ("Fr - ").
  if (cleaned.whole !== undefined && !parsed.episodic && !parsed.dated && yearMarker !== undefined && yearMarker.start === titleEnd && !/^\d{1,2}$/.test(cleaned.title ?? "")) {
    const languageCode = /^\p{L}{1,2}$/u.test(cleaned.title ?? "");
    if (cleaned.title !== undefined && !languageCode && !parsed.alternatives.includes(cleaned.title)) parsed.alternatives.unshift(cleaned.title);
    parsed.title = languageCode ? cleaned.whole.replace(/^\p{L}{1,2}\s-\s/u, "") : cleaned.whole;
  }
  // "23 - Some Film (2012)": a film's place in its series, then its title (a number of three digits or more is a
  // title: "300 - Rise… (2014)")
  if (cleaned.whole !== undefined && !parsed.episodic && !parsed.dated && /^\d{1,2}$/.test(cleaned.title ?? "")) {
    const named = cleaned.whole.replace(/^\d{1,2}\s-\s/, "");
    if (/\p{L}/u.test(named)) {
      parsed.alternatives.push(cleaned.title!);
      parsed.title = named;
    }
  }
  // "Title - 2 (2013)", "Title 7 - Part 1": a sequel's number, or a part of the film, after the dash belongs to the title
  if (cleaned.whole !== undefined && !parsed.episodic && !parsed.dated && SEQUEL_AFTER_DASH.test(cleaned.whole)) parsed.title = cleaned.whole;
  if (cleaned.whole !== undefined && parsed.title === cleaned.title && cleaned.title !== undefined) parsed.whole = cleaned.whole;
  // a film's name with a run of years ("Some Films (1984-1994)") names several films: no one year
  if (year !== undefined && !(yearMarker?.run && !parsed.episodic && !parsed.dated)) parsed.year = year;
  // nothing usable outside the brackets (no title, only a number: "[Title].148.[x264]", "[REC].2007.720p", a
  // sequel's "[REC] 2 (2009)"): the title is in one of them
  if (!fromBrackets && groups.length > 0 && (parsed.title === undefined || !/[\p{L}\p{N}]/u.test(parsed.title) || /^\d{2,}$/.test(parsed.title) || (/^\d$/.test(parsed.title) && year !== undefined))) {
    const rewritten = titleFromBrackets(groups, afterBrackets);
    if (rewritten !== undefined) {
      const again = parseText(rewritten, true);
      if (again.title !== undefined) return again;
    }
  }
  return parsed;
}
