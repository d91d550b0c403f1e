// `node --import tsx scripts/measure-kodi-answers.ts`: how large real Kodi 20 answers get, to size the Kodi client's
// frame cap (KODI_MAX_FRAME_BYTES in src/players/kodi/client.ts; the figures are in docs/kodi.md).
//
// Starts the headless Kodi of the integration tests (test/support/kodi-headless.ts), adds a library of richly
// described items (.nfo files with a long plot, 20 actors with roles and thumbnails, genres, studios, ratings, …),
// scans it, and prints the size in bytes of
// - each answer the daemon itself asks for (Player.GetItem with the adapter's fields while a library movie plays,
//   Player.GetProperties, Player.GetActivePlayers, VideoLibrary.GetTVShowDetails), and
// - whole-library listings with every property Kodi knows (VideoLibrary.GetMovies / GetEpisodes / GetTVShows),
//   which the daemon never asks for but which bound what any Kodi answer can be, per item and per library size.
//
// MEASURE_MOVIES / MEASURE_SHOWS / MEASURE_EPISODES (per show) change the library size (defaults 300, 10, 30).
import { linkSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import WebSocket from "ws";
import { itemFields, playerPropertyNames } from "../src/players/kodi/protocol.js";
import { headlessKodiUnavailableReason, startHeadlessKodi, type HeadlessKodi } from "../test/support/kodi-headless.js";

const MOVIES = Number(process.env.MEASURE_MOVIES ?? 300);
const SHOWS = Number(process.env.MEASURE_SHOWS ?? 10);
const EPISODES = Number(process.env.MEASURE_EPISODES ?? 30);

const words = "the of a city night last return dark house river storm winter secret king war road light blood lost".split(" ");
function prose(seed: number, chars: number): string {
  let out = "";
  for (let i = 0; out.length < chars; i++) out += `${words[(seed * 7 + i * 13) % words.length]}${i % 11 === 10 ? ". " : " "}`;
  return out.slice(0, chars);
}

function actors(seed: number, count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `  <actor><name>Actor ${seed}-${i} ${prose(seed + i, 12)}</name><role>Role ${prose(seed * 3 + i, 18)}</role><order>${i}</order><thumb>https://image.tmdb.org/t/p/original/actor${seed}x${i}abcdefghij.jpg</thumb></actor>`,
  ).join("\n");
}

function movieNfo(i: number): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
  <title>Measured Movie ${i} ${prose(i, 20)}</title>
  <originaltitle>Original Title ${i}</originaltitle>
  <sorttitle>Measured Movie ${i}</sorttitle>
  <year>${1950 + (i % 75)}</year>
  <runtime>${90 + (i % 60)}</runtime>
  <plot>${prose(i, 900)}</plot>
  <outline>${prose(i + 1, 200)}</outline>
  <tagline>${prose(i + 2, 60)}</tagline>
  <mpaa>Rated PG-13</mpaa>
  <genre>Drama</genre><genre>Thriller</genre><genre>Science Fiction</genre>
  <country>United States of America</country><country>United Kingdom</country>
  <studio>Measured Pictures</studio><studio>Another Studio Entertainment</studio>
  <director>Director ${i}</director>
  <credits>Writer ${i}</credits><credits>Writer ${i + 1}</credits>
  <set><name>Measured Collection ${i % 40}</name><overview>${prose(i + 3, 300)}</overview></set>
  <tag>tag-one</tag><tag>tag-two</tag>
  <premiered>${1950 + (i % 75)}-05-0${1 + (i % 9)}</premiered>
  <trailer>plugin://plugin.video.youtube/?action=play_video&amp;videoid=abcdefghij${i}</trailer>
  <ratings>
    <rating name="imdb" max="10" default="true"><value>7.${i % 10}</value><votes>${100000 + i}</votes></rating>
    <rating name="themoviedb" max="10"><value>7.${(i + 3) % 10}</value><votes>${20000 + i}</votes></rating>
  </ratings>
  <uniqueid type="imdb" default="true">tt${String(1000000 + i)}</uniqueid>
  <uniqueid type="tmdb">${500000 + i}</uniqueid>
  <thumb aspect="poster">https://image.tmdb.org/t/p/original/poster${i}abcdefghijklmnop.jpg</thumb>
  <fanart><thumb>https://image.tmdb.org/t/p/original/fanart${i}abcdefghijklmnop.jpg</thumb></fanart>
${actors(i, 20)}
</movie>
`;
}

function showNfo(s: number): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<tvshow>
  <title>Measured Show ${s}</title>
  <plot>${prose(s, 900)}</plot>
  <premiered>${1990 + s}-09-01</premiered>
  <genre>Drama</genre><genre>Comedy</genre>
  <studio>Measured Network</studio>
  <uniqueid type="tvdb" default="true">${300000 + s}</uniqueid>
  <uniqueid type="imdb">tt${String(2000000 + s)}</uniqueid>
  <uniqueid type="tmdb">${60000 + s}</uniqueid>
  <thumb aspect="poster">https://artworks.thetvdb.com/banners/posters/${300000 + s}-1.jpg</thumb>
${actors(s + 1000, 20)}
</tvshow>
`;
}

function episodeNfo(s: number, e: number): string {
  const n = s * 1000 + e;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<episodedetails>
  <title>Episode ${e} ${prose(n, 25)}</title>
  <season>1</season>
  <episode>${e}</episode>
  <plot>${prose(n, 600)}</plot>
  <aired>${1990 + s}-10-${String(1 + (e % 28)).padStart(2, "0")}</aired>
  <director>Director ${n}</director>
  <credits>Writer ${n}</credits>
  <runtime>42</runtime>
  <ratings><rating name="tvdb" max="10" default="true"><value>8.1</value><votes>${100 + e}</votes></rating></ratings>
  <uniqueid type="tvdb" default="true">${7000000 + n}</uniqueid>
  <uniqueid type="imdb">tt${String(3000000 + n)}</uniqueid>
  <uniqueid type="tmdb">${900000 + n}</uniqueid>
  <thumb>https://artworks.thetvdb.com/banners/episodes/${300000 + s}/${7000000 + n}.jpg</thumb>
${actors(n, 8)}
</episodedetails>
`;
}

/** The enum of field names Kodi itself lists for a type, e.g. "Video.Fields.Movie". */
async function allFields(kodi: HeadlessKodi, type: string): Promise<string[]> {
  const answer = await kodi.rpc<{ types: Record<string, { items?: { enums?: string[] } }> }>("JSONRPC.Introspect", {
    getdescriptions: false,
    filter: { id: type, type: "type" },
  });
  const enums = answer.types[type]?.items?.enums;
  if (!enums) throw new Error(`Kodi did not list the fields of ${type}`);
  return enums;
}

/** One request on a socket of our own, so the answer's frame is measured as Kodi sent it (bytes on the wire). */
async function measure<T>(url: string, method: string, params?: unknown): Promise<{ bytes: number; result: T }> {
  const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
  socket.on("error", () => undefined); // Kodi 20's malformed close frame
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("close", () => reject(new Error("closed before open")));
  });
  try {
    return await new Promise((resolve, reject) => {
      socket.on("message", (raw: Buffer) => {
        const message = JSON.parse(raw.toString("utf8")) as { id?: number; result?: T; error?: unknown };
        if (message.id !== 1) return; // a notification
        if (message.error !== undefined) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve({ bytes: raw.length, result: message.result as T });
      });
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params === undefined ? {} : { params }) }));
    });
  } finally {
    socket.terminate();
  }
}

async function main(): Promise<void> {
  const unavailable = headlessKodiUnavailableReason();
  if (unavailable) {
    console.log(`SKIPPED: ${unavailable}`);
    return;
  }
  const kodi = await startHeadlessKodi({ log: (line) => console.error(`[kodi] ${line}`) });
  try {
    const moviesRoot = dirname(dirname(kodi.media.movie));
    const tvRoot = dirname(dirname(dirname(kodi.media.episode)));
    for (let i = 0; i < MOVIES; i++) {
      const dir = join(moviesRoot, `Measured Movie ${i} (${1950 + (i % 75)})`);
      mkdirSync(dir, { recursive: true });
      linkSync(kodi.media.movie, join(dir, `Measured Movie ${i}.mkv`));
      writeFileSync(join(dir, `Measured Movie ${i}.nfo`), movieNfo(i));
    }
    for (let s = 0; s < SHOWS; s++) {
      const season = join(tvRoot, `Measured Show ${s}`, "Season 01");
      mkdirSync(season, { recursive: true });
      writeFileSync(join(tvRoot, `Measured Show ${s}`, "tvshow.nfo"), showNfo(s));
      for (let e = 1; e <= EPISODES; e++) {
        const name = `Measured Show ${s} - S01E${String(e).padStart(2, "0")}`;
        linkSync(kodi.media.movie, join(season, `${name}.mkv`));
        writeFileSync(join(season, `${name}.nfo`), episodeNfo(s, e));
      }
    }
    const started = Date.now();
    const mark = kodi.mark();
    await kodi.rpc("VideoLibrary.Scan", { showdialogs: false });
    await kodi.waitForNotification("VideoLibrary.OnScanFinished", mark, 30 * 60_000);
    console.error(`[measure] library scanned in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const rows: [string, number, string][] = [];
    const movies = await measure<{ movies?: { movieid: number; file: string; title: string }[] }>(kodi.url, "VideoLibrary.GetMovies", {
      properties: await allFields(kodi, "Video.Fields.Movie"),
    });
    const episodes = await measure<{ episodes?: unknown[] }>(kodi.url, "VideoLibrary.GetEpisodes", { properties: await allFields(kodi, "Video.Fields.Episode") });
    const shows = await measure<{ tvshows?: { tvshowid: number }[] }>(kodi.url, "VideoLibrary.GetTVShows", { properties: await allFields(kodi, "Video.Fields.TVShow") });
    for (const [what, answer, count] of [
      ["VideoLibrary.GetMovies, every property", movies, movies.result.movies?.length ?? 0],
      ["VideoLibrary.GetEpisodes, every property", episodes, episodes.result.episodes?.length ?? 0],
      ["VideoLibrary.GetTVShows, every property", shows, shows.result.tvshows?.length ?? 0],
    ] as const) {
      rows.push([`${what} (${count} items)`, answer.bytes, `${Math.round(answer.bytes / Math.max(1, count))} bytes per item`]);
    }

    // What the daemon asks for, while a richly described library movie plays.
    const measured = movies.result.movies?.find((m) => m.title.startsWith("Measured Movie"));
    if (!measured) throw new Error("no measured movie in the library");
    await kodi.play(measured.file);
    const asked = "asked by the daemon";
    rows.push(["Player.GetItem with the adapter's fields (library movie)", (await measure(kodi.url, "Player.GetItem", { playerid: 1, properties: [...itemFields] })).bytes, asked]);
    rows.push(["Player.GetProperties (the adapter's properties)", (await measure(kodi.url, "Player.GetProperties", { playerid: 1, properties: [...playerPropertyNames] })).bytes, asked]);
    rows.push(["Player.GetActivePlayers", (await measure(kodi.url, "Player.GetActivePlayers")).bytes, asked]);
    const showId = shows.result.tvshows?.[0]?.tvshowid ?? 1;
    rows.push([
      "VideoLibrary.GetTVShowDetails (the adapter's properties)",
      (await measure(kodi.url, "VideoLibrary.GetTVShowDetails", { tvshowid: showId, properties: ["uniqueid", "imdbnumber", "title", "year"] })).bytes,
      asked,
    ]);
    const everything = await allFields(kodi, "List.Fields.All");
    rows.push(["Player.GetItem, every property (library movie)", (await measure(kodi.url, "Player.GetItem", { playerid: 1, properties: everything })).bytes, "largest single-item answer"]);

    console.log(`Kodi 20 answer sizes (library: ${MOVIES + 1} movies, ${SHOWS + 1} shows, ${SHOWS * EPISODES + 1} episodes)`);
    for (const [what, bytes, note] of rows) console.log(`  ${what.padEnd(64)} ${String(bytes).padStart(10)} bytes  ${note}`);
  } finally {
    await kodi.close();
  }
}

await main();
