// The story `demo` tells: one real catalogue movie played through a pause and a resume to the end, on a clock
// compressed so two hours pass in a few seconds.
import { MOVIES, type CatalogueMovie } from "../emulator/catalogue.js";
import type { MediaHints } from "../core/playback.js";
import type { SimulatedPlayback, SimulatedStep } from "../players/simulated/adapter.js";

export interface DemoScenario {
  movie: CatalogueMovie;
  /** What the simulated player reports: a file name (identification by parsing + search) or the movie's ids. */
  hints: MediaHints;
  playback: SimulatedPlayback;
  /** What each step stands for, in the order of `playback.steps`. */
  captions: string[];
}

export interface ScenarioOptions {
  /** Report the movie's real imdb/tmdb ids instead of a file name. */
  byIds?: boolean;
  /** Real milliseconds between two steps (default 700). The pause lasts longer than `pauseHoldMs`. */
  stepMs?: number;
  /** How long the pause is held, real ms (default 1600: longer than the demo's 1 s pause debounce). */
  pauseHoldMs?: number;
}

const MINUTE = 60_000;

/** The file name a player would report for a movie, in the usual release style. */
export function releaseFileName(movie: CatalogueMovie): string {
  const words = movie.title.replace(/[^A-Za-z0-9 ]+/g, "").trim().split(/\s+/);
  return `/media/movies/${words.join(".")}.${movie.year}.1080p.BluRay.x264.mkv`;
}

export function demoScenario(options: ScenarioOptions = {}): DemoScenario {
  const movie = MOVIES.find((m) => m.ids.imdb === "tt2015381") ?? MOVIES[0];
  if (!movie) throw new Error("the emulator catalogue has no movies");
  const stepMs = options.stepMs ?? 700;
  const pauseHoldMs = options.pauseHoldMs ?? 1_600;
  const durationMs = movie.runtime * MINUTE;
  const at = (fraction: number): number => Math.round(durationMs * fraction);
  const hints: MediaHints = options.byIds
    ? { kind: "movie", title: movie.title, year: movie.year, ids: { imdb: String(movie.ids.imdb), tmdb: String(movie.ids.tmdb) } }
    : { path: releaseFileName(movie) };
  const steps: SimulatedStep[] = [
    { afterMs: 0, state: "playing", positionMs: 0 },
    { afterMs: stepMs, state: "playing", positionMs: at(0.25) },
    { afterMs: stepMs, state: "paused", positionMs: at(0.45) },
    { afterMs: pauseHoldMs, state: "playing", positionMs: at(0.45) },
    { afterMs: stepMs, state: "playing", positionMs: at(0.75) },
    { afterMs: stepMs, state: "ended", positionMs: durationMs },
  ];
  const captions = ["starts playing", "keeps playing", "pauses", "resumes", "keeps playing", "reaches the end"];
  return { movie, hints, playback: { hints, durationMs, steps }, captions };
}
