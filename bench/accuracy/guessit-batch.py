# Runs guessit (Debian's python3-guessit) on names read as a JSON list from stdin; prints one JSON list of guesses
# with the fields the accuracy table scores. Used by bench/accuracy/guessit.ts.
import json
import sys

import guessit


def numbers(value):
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [v for v in values if isinstance(v, int)]


def guess(name):
    try:
        g = guessit.guessit(name)
    except Exception as error:  # a crash counts as a guess with nothing in it
        return {"type": "movie", "error": str(error), "seasons": [], "episodes": []}
    title = g.get("title")
    if isinstance(title, list):
        title = title[0]
    year = g.get("year")
    if isinstance(year, list):
        year = year[0]
    return {
        "type": "episode" if g.get("type") == "episode" else "movie",
        "title": title,
        "year": year,
        "seasons": numbers(g.get("season")),
        "episodes": numbers(g.get("episode")),
    }


print(json.dumps({"version": guessit.__version__, "guesses": [guess(n) for n in json.load(sys.stdin)]}))
