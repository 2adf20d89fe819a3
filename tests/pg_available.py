"""Exit 0 when the PostgreSQL server of a URL answers (used by `make test`)."""

import sys

import psycopg

from tests.pg import server_url


def main(url: str) -> int:
    try:
        with psycopg.connect(server_url(url), connect_timeout=3):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
