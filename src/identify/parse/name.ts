// From a path, file name or player label to what it names: title, year, season, episode(s), movie or episode.
// The file name says most; folders fill what it lacks ("Show/Season 02/E13 - Name.mkv", "Movie (2010)/movie.mkv")
// and replace it when it is obfuscated ("Show.S02E05.1080p.WEB-DL-GRP/160725_02.mkv").
import { parseTorrentTitle } from "@viren070/parse-torrent-title";
import { normalizeTitle } from "../similarity.js";
import { namesFilmSet, parseSegment, type SegmentParse } from "./segment.js";
import { EXTENSION, GENERIC_FOLDER, MEANINGLESS_TITLE, STRONG_JUNK, WEAK_JUNK } from "./vocab.js";

export interface ParsedName {
  type: "movie" | "episode";
  title?: string;
  year?: number;
  /** Season of the first episode; several for a season pack ("S01-S04"). */
  seasons?: number[];
  /** Episode numbers; several for a multi-episode file. */
  episodes?: number[];
  /** Episodes are numbered from the start of the show (anime "[Group] Show - 123"). */
  absolute?: boolean;
  /** Other names seen (subtitle after " - ", original title in brackets, folder title), for a second search. */
  alternatives: string[];
  /** Which part of the path gave the title. */
  titleFrom?: "file" | "folder";
}

/** The folders of a DVD or Blu-ray copied as files, and the files at their root. */
const DISC_FOLDER = /^(?:VIDEO_TS|AUDIO_TS|BDMV|CERTIFICATE)$/i;
/** Kodi, Plex and Jellyfin keep a show's specials (Trakt's season 0) in a folder of this name. */
const SPECIALS_FOLDER = /^specials?$/i;
const DISC_FILE = /^(?:VIDEO_TS\.(?:IFO|VOB|BUP)|index\.bdmv|MovieObject\.bdmv)$/i;

/**
 * Full-width letters, digits and signs as East Asian trackers write them ("（2012）", "：") as their ASCII forms, and
 * lenticular and corner brackets ("【…】", "「…」") as square ones: the rules read one form.
 */
function toHalfWidth(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, " ")
    .replace(/[【「『〖]/g, "[")
    .replace(/[】」』〗]/g, "]");
}

/**
 * The folders and the file name of a path. A slash with a space beside it ("Черное зеркало / Black Mirror",
 * "星际穿越/ 星际启示录") or inside brackets ("[夏日重現/Summer Time Rendering]") separates names of one thing, not
 * folders.
 */
function splitPath(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") depth = Math.max(0, depth - 1);
    else if ((c === "/" || c === "\\") && depth === 0 && !/\s/.test(path[i - 1] ?? "") && !/\s/.test(path[i + 1] ?? "")) {
      parts.push(path.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(path.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** A file name made by a download tool rather than a person: a hash, or letters and digits mixed at random. */
function looksObfuscated(name: string): boolean {
  const bare = name.replace(EXTENSION, "");
  if (/^[0-9a-f]{16,}$/i.test(bare)) return true;
  if (/^[A-Za-z0-9]{6,}(?:-[A-Za-z0-9]{6,}){2,}$/.test(bare) && /\d/.test(bare)) return true;
  if (/^[A-Za-z0-9]{12,}$/.test(bare) && /\d/.test(bare) && /[a-z]/.test(bare) && /[A-Z]/.test(bare)) return true;
  // reversed release names: "…p0801.70E10S.5102.sregnesseM.ehT"
  return /(?:^|[ ._-])(?:p\d{3,4}|\d{2}E\d{2}S)(?:[ ._-]|$)/.test(bare);
}

/** A title that names nothing ("movie", a hash, a bare number); a number with a year is a title ("300 (2006)"). */
function meaningless(p: SegmentParse): boolean {
  const title = normalizeTitle(p.title ?? "");
  return MEANINGLESS_TITLE.test(title) && !(p.year !== undefined && /^\d+$/.test(title));
}

function isSeasonFolder(p: SegmentParse): boolean {
  return p.title === undefined && p.seasons.length > 0 && p.episodes.length === 0;
}

/** A word written the release-group way (THEATRICAL, BRMux, SE), not "Italian" or "e". */
const releaseStyle = (word: string): boolean => word.length > 1 && (word === word.toUpperCase() || /[a-z][A-Z]/.test(word)) && /\p{L}/u.test(word);

/**
 * A word the library may cut a title at: written the release-group way, and not in our own lists (a listed word was
 * already judged by our rules, which kept it in the title: "Some 3D Title 2011", "Uncut Gems").
 */
const libraryMayCut = (word: string): boolean => releaseStyle(word) && !STRONG_JUNK.has(word.toLowerCase()) && !WEAK_JUNK.has(word.toLowerCase());

/** The library cuts titles at technical words we do not list; use its cut when it is a clean prefix of ours. */
function trimWithLibrary(segment: string, title: string): string {
  // its cut is used only at such a word after the first; without one, the (costly) library is not asked
  if (!title.split(/\s+/).slice(1).some(libraryMayCut)) return title;
  const lib = parseTorrentTitle(segment).title?.trim();
  if (!lib) return title;
  const a = normalizeTitle(lib);
  const b = normalizeTitle(title);
  if (a.length > 0 && a.length < b.length && b.startsWith(`${a} `)) {
    const words = a.split(" ").length;
    const all = title.split(/\s+/);
    if (libraryMayCut(all[words] ?? "")) return all.slice(0, words).join(" ");
  }
  return title;
}

/** A file's leading number in a season folder: "03" is episode 3; "103" in Season 1 is episode 3; "1001" alone is none. */
function episodeInSeason(digits: string, seasons: number[]): number | undefined {
  const season = seasons.length === 1 ? String(seasons[0]) : undefined;
  if (season !== undefined && digits.length >= 3 && digits.length === season.length + 2 && digits.startsWith(season)) return Number(digits.slice(season.length));
  return digits.length <= 3 ? Number(digits) : undefined;
}

export function parseMediaName(input: string): ParsedName {
  // macOS and some tools write "é" as "e" + a combining accent; the rules read letters composed
  input = toHalfWidth(input.normalize("NFC"));
  let parts = splitPath(input);
  // a disc copied as folders ("Film (2019)/VIDEO_TS/VTS_01_1.VOB", "Film/BDMV/STREAM/00000.m2ts", what Kodi plays
  // as ".../VIDEO_TS/VIDEO_TS.IFO" or ".../BDMV/index.bdmv"): the folder that holds the disc names the film
  const disc = parts.findIndex((p, i) => DISC_FOLDER.test(p) || (i === parts.length - 1 && DISC_FILE.test(p)));
  const onDisc = disc > 0;
  if (onDisc) parts = parts.slice(0, disc);
  const fileName = (parts.pop() ?? "").replace(EXTENSION, "");
  const base = parseSegment(fileName);
  if (base.title !== undefined) base.title = trimWithLibrary(fileName, base.title);

  // nearest folders first; generic ones ("Series", "/mnt/NAS") say nothing
  const folders = parts
    .slice(-3)
    .reverse()
    .filter((p) => !GENERIC_FOLDER.test(p) && !looksObfuscated(p))
    .map((p) => ({ raw: p, parsed: parseSegment(SPECIALS_FOLDER.test(p) ? "Season 0" : p) }));
  const seasonFolder = folders.find((f) => isSeasonFolder(f.parsed));
  const named = folders.find((f) => !isSeasonFolder(f.parsed) && f.parsed.title !== undefined);
  const folder = named?.parsed;
  if (named && folder?.title !== undefined) folder.title = trimWithLibrary(named.raw, folder.title);

  let result: SegmentParse = base;
  let titleFrom: ParsedName["titleFrom"] = base.title !== undefined ? "file" : undefined;
  const sameTitle = folder?.title !== undefined && base.title !== undefined && normalizeTitle(folder.title) === normalizeTitle(base.title);
  // "Film (1989)/Director - Film (Rip).avi": the file names the folder's film among its other names
  const namesFolderFilm =
    folder?.title !== undefined && folder.year !== undefined && base.year === undefined && !base.episodic &&
    base.alternatives.some((a) => normalizeTitle(a) === normalizeTitle(folder.title!));
  // a release folder ("Show.S02E05.1080p.WEB-DL-GRP") names the file better than a file that says less than it
  const releaseFolder =
    folder !== undefined &&
    folder.releaseLike &&
    !(base.year !== undefined && folder.year === undefined && !folder.dated) &&
    !(base.episodic && !folder.episodic && !folder.dated) &&
    // "Some Films Trilogy (2009) 720p/(1) First Film (2009).mkv": a set's folder does not name one of its films
    !(base.title !== undefined && !base.episodic && named !== undefined && namesFilmSet(named.raw));
  if (folder && releaseFolder && !sameTitle && folders[0]?.parsed === folder) {
    // a release folder whose file is named differently (obfuscated, shortened, or a subtitle file): trust the folder
    result = {
      ...folder,
      seasons: folder.seasons.length > 0 ? folder.seasons : base.seasons,
      episodes: folder.episodes.length > 0 ? folder.episodes : base.episodes,
      year: folder.year ?? base.year,
      alternatives: [...folder.alternatives, ...(base.title ? [base.title] : []), ...base.alternatives],
    } as SegmentParse;
    titleFrom = "folder";
  } else if (
    folder?.title !== undefined &&
    (base.title === undefined ||
      // "Show/03 - Episode Title.mkv": after a leading episode number comes the episode's title
      (base.leadingNumber === true && !folder.releaseLike) || looksObfuscated(fileName) || meaningless(base) || ((sameTitle || namesFolderFilm) && folder.year !== undefined && !folder.releaseLike))
  ) {
    // the file says nothing ("E13 - Name.mkv", "movie.mkv", a hash), or repeats a "Title (Year)" folder: the
    // folder's spelling is the one a person wrote
    result = { ...base, title: folder.title, alternatives: [...base.alternatives, ...folder.alternatives] };
    if (result.year === undefined && folder.year !== undefined) result.year = folder.year;
    if (result.seasons.length === 0) result.seasons = folder.seasons;
    if (result.episodes.length === 0) result.episodes = folder.episodes;
    titleFrom = "folder";
  } else if (folder?.title !== undefined && sameTitle && result.year === undefined && folder.year !== undefined) {
    result = { ...result, year: folder.year };
  }
  // "Show (2008)/Season 1/Apotheosis.mp4": a file with no numbers inside a season folder is an episode of the show
  if (
    seasonFolder &&
    folders[0] === seasonFolder &&
    !result.episodic &&
    folder?.title !== undefined &&
    titleFrom === "file"
  ) {
    result = {
      ...result,
      title: folder.title,
      seasons: seasonFolder.parsed.seasons,
      episodic: true,
      alternatives: [...(base.title !== undefined ? [base.title] : []), ...result.alternatives],
      ...(folder.year !== undefined ? { year: folder.year } : {}),
    };
    titleFrom = "folder";
  }
  // a file named by its number alone inside a show's or a season's folder: "Season 2/02.avi", "Show/02 - Name.avi",
  // "Season 2/7 - 12 Angry Men.avi" (the leading number is the episode, whatever the name holds after it); in a season
  // folder, a number that starts with its season is season and episode ("Season 1/101 - Title.avi", "Season 12/1203")
  const numbered = /^(\d{1,4})(?:\s*-\s*|\.\s*|\s+|$)(?=\D|$)/.exec(fileName);
  const inSeasonFolder = seasonFolder !== undefined && folders[0] === seasonFolder;
  const inShowFolder = named !== undefined && folders[0] === named && titleFrom === "folder";
  const leadingNumber = numbered ? episodeInSeason(numbered[1]!, inSeasonFolder ? seasonFolder.parsed.seasons : []) : undefined;
  if (leadingNumber !== undefined && base.year === undefined && !sameTitle && (inSeasonFolder || inShowFolder)) {
    const { title: _episodeTitle, ...rest } = result;
    // what follows the number is the episode's title: neither the title nor another name of the show
    const alternatives = folder?.title !== undefined ? folder.alternatives : [];
    result = { ...rest, alternatives, episodes: [leadingNumber], episodic: true, absolute: false, ...(folder?.title !== undefined ? { title: folder.title } : {}) };
    if (result.year === undefined && folder?.year !== undefined) result.year = folder.year;
    titleFrom = folder?.title !== undefined ? "folder" : undefined;
    if (seasonFolder) result.seasons = seasonFolder.parsed.seasons;
  }
  // "Season 21/One Piece 1001": a number that does not start with the folder's season is an absolute number
  const folderSeason = seasonFolder?.parsed.seasons[0];
  if (base.split !== undefined && folderSeason !== undefined && Math.floor(base.split / 100) !== folderSeason && result.seasons[0] !== folderSeason) {
    result = { ...result, seasons: [], episodes: [base.split], absolute: true };
  }
  if (result.seasons.length === 0 && result.episodes.length > 0 && !result.absolute && seasonFolder) {
    result = { ...result, seasons: seasonFolder.parsed.seasons };
  }

  const episodic = result.episodic || result.seasons.length > 0 || result.episodes.length > 0 || result.dated;
  // "Star Trek - The Next Generation/Season 1/03.mkv": a show's folder is named by the show, " - " standing for
  // Trakt's colon; the whole name is searched first and its first part only after it
  if (episodic && titleFrom === "folder" && folder?.whole !== undefined && !folder.releaseLike && result.title === folder.title) {
    result = { ...result, title: folder.whole, alternatives: [folder.title!, ...result.alternatives.filter((a) => a !== folder.whole)] };
  }
  const out: ParsedName = { type: episodic ? "episode" : "movie", alternatives: [...new Set(result.alternatives)].filter((a) => a !== result.title) };
  if (result.title !== undefined) out.title = result.title;
  if (titleFrom !== undefined) out.titleFrom = onDisc ? "folder" : titleFrom;
  if (result.year !== undefined) out.year = result.year;
  if (result.seasons.length > 0) out.seasons = result.seasons;
  if (result.episodes.length > 0) out.episodes = result.episodes;
  if (result.absolute) out.absolute = true;
  return out;
}
