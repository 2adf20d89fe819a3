"""`python -m huddles.compile_translations`: compile the interface's translations (.po to .mo).

Its own module, so that running it does not import huddles.i18n twice (as `python -m huddles.i18n`
did, which the package itself imports first)."""

from __future__ import annotations

from huddles.i18n import compile_catalogs


def main() -> None:
    for path in compile_catalogs():
        print(f"compiled {path}")


if __name__ == "__main__":
    main()
