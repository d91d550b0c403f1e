// Words that never belong to a title in a release or file name: once one appears, the title has ended.
// "Strong" words end a title in any letter case; "weak" ones are also ordinary words ("Real", "Complete",
// "French"), so they only count when written the way release groups write them (all caps or mIxEd caps).

const STRONG = [
  // sources
  "hdtv", "pdtv", "sdtv", "dsr", "dsrip", "satrip", "dvbrip", "tvrip", "hdtvrip", "webrip", "web-dl", "webdl", "webcap",
  "bluray", "blu-ray", "bdrip", "brrip", "bdremux", "remux", "dvdrip", "dvdr", "dvd5", "dvd9", "dvdscr", "hddvd",
  "hdrip", "hdlight", "ultrahd", "vhsrip", "ppvrip", "r5", "telesync", "hdcam", "brripmux", "dvdivx", "ntsc", "pal", "secam",
  "amzn", "nf", "hulu", "dsnp", "hmax", "atvp",
  // video
  "x264", "x265", "h264", "h265", "hevc", "avc", "xvid", "divx", "hi10p", "10bit", "8bit", "hdr", "hdr10", "sbs",
  "dxva", "vc1", "mpeg2",
  // audio
  "ac3", "aac", "aac2", "eac3", "dts", "dts-hd", "truehd", "atmos", "flac", "mp3", "dd5", "ddp", "ddp2", "ddp5", "dd2",
  "ac3d", "aac5", "lpcm",
  // languages and subtitles as release groups write them
  "vostfr", "vff", "vfq", "vfi", "vf2", "truefrench", "subfrench", "nlsubs", "multisubs", "swissgerman", "vost",
  // flags
  "proper", "repack", "rerip", "internal", "nfofix", "unrated", "uncut", "extended", "remastered", "dubbed", "subbed",
  "fansub", "readnfo", "dual-audio", "limited", "imax", "hq", "doku", "stv", "xxx", "3d", "hsbs", "hou",
  "criterion", "dlrip", "bdmux", "brmux", "bdripmux", "brripmux", "webmux", "vp9", "av1", "opus", "kbps", "mbps", "fps",
];

const WEAK = [
  "real", "complete", "french", "german", "english", "spanish", "italian", "hindi", "eng", "fr", "de", "vo", "vf", "dl",
  "multi", "hd", "fhd", "uhd", "sd", "ts", "cam", "edition", "special", "cut", "web", "collector", "director", "ultimate", "dc", "directors", "collector",
  "retail", "ws", "fs", "live", "feed", "east", "west", "dvd", "castellano", "esp", "ita", "vhs", "rip", "en", "es",
  "custom", "version", "longue", "director's",
];

/**
 * Release flags that are also ordinary words, found in titles ("Uncut Gems", "The Darjeeling Limited", "xXx",
 * "Internal Affairs"): at the start of a name, or before the year in a title's own case, they are the title's.
 */
export const FLAG_WORDS = new Set(["uncut", "limited", "internal", "proper", "criterion", "xxx"]);

/** Release flags that are also words, but only the first word of a title: "Extended Family", "Remastered: Who Shot…". */
export const LEADING_FLAG_WORDS = new Set([...FLAG_WORDS, "extended", "unrated", "remastered", "dubbed"]);

/** Language names: like weak words, and also technical when a year follows ("Immersion.French.2011"). */
export const LANGUAGE_WORDS = new Set(["french", "german", "english", "spanish", "italian", "hindi", "ita", "eng", "esp", "vf"]);

export const STRONG_JUNK = new Set(STRONG);
export const WEAK_JUNK = new Set(WEAK);

/** Patterns of whole tokens that are technical, whatever the case. */
export const JUNK_TOKEN = [
  /^(?:br|bd|hd|web)?\d{3,4}[pi]\d{0,2}$/i, // 720p, 1080i, 1080p25, BR1080P
  /^[248]k$/i,
  /^\d{3,4}x\d{3,4}$/i, // 1280x720
  /^(?:dd|ddp|aac|ac3|dts)\d(?:\.\d)?$/i,
  /^[hx]\.?26[45]$/i,
  /^\d+(?:\.\d+)?\s?(?:mbps|kbps|gb|mb)$/i,
  /^(?:cd|disc|dvd)\d+(?:of\d+)?$/i,
];

/** Folder names that say nothing about the title ("Series", "TV Shows", "/mnt"...). */
export const GENERIC_FOLDER =
  /^(?:.*(?:tv ?shows?|tvseries|series|movies?|films?|videos?|anime|downloads?|media|torrents?)|mnt|nas|home|srv|data|volume\d*|share|public|complete|completed|incoming|library|users?|storage|disk\d*|(?:cd|disc|disk|dvd)[ ._-]?\d{1,2}|[a-z]:|\d+p?)$/i;

/** Number words seen in season names ("Saison sept", "Season Two"). */
export const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, sept: 7, huit: 8, neuf: 9, dix: 10,
  uno: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
};

/** Extensions we strip from a file name (media, subtitles, side files). */
export const EXTENSION =
  /\.(?:mkv|avi|mp4|m4v|mov|wmv|ts|m2ts|mts|iso|img|srt|sub|idx|ass|ssa|nfo|torrent|mpg|mpeg|flv|webm|ogm|ogv|divx|vob|rmvb|rm|3gp|asf|strm|part|!qb)$/i;

/** Names that say nothing about what is playing ("movie.mkv", a hash, a number): never searched as a title. */
export const MEANINGLESS_TITLE =
  /^(?:movie|film|video|episode|file|untitled|unknown|track|title|sample|trailer|main|feature|clip|[0-9a-f]{8,}|\d+)$/;
